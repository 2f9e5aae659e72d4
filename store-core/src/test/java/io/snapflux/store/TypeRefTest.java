package io.snapflux.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vavr.collection.HashMap;
import io.vavr.collection.List;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import org.junit.jupiter.api.Test;

/** A {@link TypeRef} keeps the generic type it declares, and refuses types it cannot decode. */
final class TypeRefTest {

  record Todo(String title) {}

  @Test
  void anonymousSubclass_capturesGenericType() {
    TypeRef<List<Todo>> type = new TypeRef<>() {};

    assertThat(type.type()).isInstanceOf(ParameterizedType.class);
    assertThat(type.type().getTypeName()).isEqualTo(
        "io.vavr.collection.List<io.snapflux.store.TypeRefTest$Todo>");
    assertThat(type.rawType()).isEqualTo(List.class);
  }

  @Test
  void parameterized_equalsTheCapturedType() {
    TypeRef<HashMap<String, List<Todo>>> captured = new TypeRef<>() {};
    TypeRef<HashMap<String, List<Todo>>> built = TypeRef.parameterized(
        HashMap.class, String.class, TypeRef.parameterized(List.class, Todo.class).type());

    assertThat(built).isEqualTo(captured).hasSameHashCodeAs(captured);
    assertThat(built.type()).isEqualTo(captured.type()).hasSameHashCodeAs(captured.type());
    assertThat(built.type().getTypeName()).isEqualTo(captured.type().getTypeName());
  }

  @Test
  void parameterized_wrongArgumentCount_failsNamingTheClass() {
    assertThatThrownBy(() -> TypeRef.parameterized(HashMap.class, String.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("io.vavr.collection.HashMap has 2 type parameter(s), given 1");
  }

  @Test
  void anonymousSubclass_inGenericMethod_failsNamingTheTypeVariable() {
    assertThatThrownBy(TypeRefTest::<Todo>listOf)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("type variable T")
        .hasMessageContaining("new TypeRef<List<Todo>>() {}");
  }

  private static <T> TypeRef<List<T>> listOf() {
    return new TypeRef<>() {};
  }

  @Test
  void of_typeWithVariable_fails() {
    Type variable = List.class.getTypeParameters()[0];

    assertThatThrownBy(() -> TypeRef.parameterized(List.class, variable))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("type variable T");
  }

  @Test
  void requireInstance_emptyListOfDeclaredList_returnsIt() {
    TypeRef<List<Todo>> type = new TypeRef<>() {};
    List<Todo> empty = List.empty();

    assertThat(type.requireInstance(empty)).isSameAs(empty);
  }

  @Test
  void requireInstance_otherClass_failsNamingBoth() {
    TypeRef<List<Todo>> type = new TypeRef<>() {};

    assertThatThrownBy(() -> type.requireInstance(HashMap.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("io.vavr.collection.HashMap")
        .hasMessageContaining("io.vavr.collection.List<io.snapflux.store.TypeRefTest$Todo>");
    assertThatThrownBy(() -> type.requireInstance(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
  }

  @Test
  void jsonStateCodec_emptyListOfDeclaredType_roundTripsLaterStates() throws IOException {
    JsonStateCodec<List<Todo>> codec = JsonStateCodec.of(new TypeRef<List<Todo>>() {});

    assertThat(codec.decode(codec.encode(List.empty()))).isEmpty();
    List<Todo> decoded = codec.decode(codec.encode(List.of(new Todo("a"), new Todo("b"))));
    assertThat(decoded).containsExactly(new Todo("a"), new Todo("b"));
    assertThat(decoded.head()).isInstanceOf(Todo.class);
  }

  @Test
  void jsonStateCodec_runtimeClassOfEmptyList_cannotEncodeALaterState() {
    @SuppressWarnings("unchecked")
    Class<List<Todo>> nil = (Class<List<Todo>>) List.<Todo>empty().getClass();
    JsonStateCodec<List<Todo>> codec = JsonStateCodec.of(nil);

    // Why the declared type matters: the runtime class of List.empty() fits no later state.
    assertThatThrownBy(() -> codec.encode(List.of(new Todo("a"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("List$Nil");
  }
}
