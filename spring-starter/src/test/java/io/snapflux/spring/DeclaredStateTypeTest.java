package io.snapflux.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapflux.store.Store;
import io.snapflux.store.TypeRef;
import io.vavr.collection.HashMap;
import io.vavr.collection.List;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** How {@link StoreFactory#create(String, Object)} finds a store's declared state type. */
final class DeclaredStateTypeTest {

  record Todo(String title) {}

  record Todos(List<Todo> items) {}

  /** Return types the factory-method rule reads, as {@code @Bean} methods would declare them. */
  abstract static class Declarations {
    abstract Store<List<Todo>> listOfTodos();

    abstract Store<HashMap<String, List<Todo>>> nested();

    abstract Store<Todos> record();

    abstract String notAStore();
  }

  private static Method declaration(String name) throws NoSuchMethodException {
    return Declarations.class.getDeclaredMethod(name);
  }

  @Test
  void fromFactoryMethod_storeOfVavrList_isTheDeclaredGenericType() throws Exception {
    TypeRef<List<Todo>> type =
        DeclaredStateType.fromFactoryMethod(declaration("listOfTodos"), List.<Todo>empty());

    assertThat(type).isEqualTo(new TypeRef<List<Todo>>() {});
  }

  @Test
  void fromFactoryMethod_nestedGenerics_areKept() throws Exception {
    TypeRef<HashMap<String, List<Todo>>> type =
        DeclaredStateType.fromFactoryMethod(declaration("nested"), HashMap.empty());

    assertThat(type).isEqualTo(new TypeRef<HashMap<String, List<Todo>>>() {});
  }

  @Test
  void fromFactoryMethod_initialNotOfTheDeclaredType_isIgnored() throws Exception {
    assertThat(DeclaredStateType.fromFactoryMethod(declaration("record"), List.empty())).isNull();
    assertThat(DeclaredStateType.fromFactoryMethod(declaration("notAStore"), "x")).isNull();
    assertThat(DeclaredStateType.fromFactoryMethod(null, "x")).isNull();
  }

  @Test
  void infer_recordOutsideBeanMethod_isItsClass() {
    assertThat(DeclaredStateType.infer("todos", new Todos(List.empty())))
        .isEqualTo(TypeRef.of(Todos.class));
    assertThat(DeclaredStateType.infer("counter", 0)).isEqualTo(TypeRef.of(Integer.class));
  }

  @Test
  void infer_emptyVavrListOutsideBeanMethod_failsNamingTypeRef() {
    assertThatThrownBy(() -> DeclaredStateType.infer("todos", List.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("store 'todos'")
        .hasMessageContaining("io.vavr.collection.List$Nil")
        .hasMessageContaining("@Bean method returning Store<")
        .hasMessageContaining("new TypeRef<");
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SnapfluxAutoConfiguration.class));

  @Test
  void create_genericInitialOutsideBeanMethod_failsOnMemoryBackendTooAndCreatesNothing() {
    runner.run(context -> {
      StoreFactory factory = context.getBean(StoreFactory.class);

      assertThatThrownBy(() -> factory.create("todos", HashMap.<String, Todo>empty()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("io.vavr.collection.HashMap");
      assertThat(factory.stores()).isEmpty();
      Store<HashMap<String, Todo>> typed = factory.create(
          "todos", new TypeRef<HashMap<String, Todo>>() {}, HashMap.empty());
      assertThat(factory.stores()).containsOnlyKeys("todos");
      assertThat(typed.update(m -> m.put("a", new Todo("a"))).version()).isEqualTo(1);
    });
  }

  @Test
  void create_initialNotOfGivenType_failsNamingStoreAndCreatesNothing() {
    runner.run(context -> {
      StoreFactory factory = context.getBean(StoreFactory.class);
      @SuppressWarnings({"unchecked", "rawtypes"})
      TypeRef<Object> list = (TypeRef) new TypeRef<List<Todo>>() {};

      assertThatThrownBy(() -> factory.create("todos", list, HashMap.empty()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("store 'todos'")
          .hasMessageContaining("not an instance of the declared state type");
      assertThat(factory.stores()).isEmpty();
    });
  }
}
