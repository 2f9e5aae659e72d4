package io.snapflux.spring;

import io.snapflux.store.Store;
import io.snapflux.store.TypeRef;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.support.SimpleInstantiationStrategy;
import org.springframework.core.ResolvableType;

/**
 * Infers the declared state type of a store created without a {@link TypeRef}: the rules of
 * {@link StoreFactory#create(String, Object, java.util.function.Consumer)}.
 *
 * <pre>
 * Implementation notes.
 *
 * The bean's declared type. A @Bean method calls StoreFactory.create, so the factory cannot see
 * the method's return type through its arguments; Spring exposes it while it runs, though:
 * SimpleInstantiationStrategy.getCurrentlyInvokedFactoryMethod() is the factory method being
 * invoked on this thread (set around every factory-method call, AOT included). Its return type,
 * seen as Store (ResolvableType.as), gives T with the generics of the declaration. It is only
 * taken when T is fully resolved and the initial state is an instance of it, so a helper that
 * creates some other store inside a @Bean method of another type falls through to rule 2 or 3.
 * The ResolvableType is rebuilt into a plain java.lang.reflect.Type, because getType() may
 * return a type variable that only the ResolvableType's resolver binds (a method returning a
 * subtype of Store that passes its own parameter on).
 *
 * Invariants (and the tests that check them):
 *  1. A @Bean method returning Store<List<Todo>> declares List<Todo> on every backend.
 *     (TypedStateBackendsTest.beanMethod_emptyVavrList_roundTripsAsDeclaredType,
 *     SnapfluxRedisAutoConfigurationTest.beanMethod_emptyVavrList_roundTripsAsDeclaredType)
 *  2. A state class without type parameters is its own declared type.
 *     (DeclaredStateTypeTest.infer_recordOutsideBeanMethod_isItsClass)
 *  3. A generic runtime class outside such a method fails with a message naming TypeRef.
 *     (DeclaredStateTypeTest.infer_emptyVavrListOutsideBeanMethod_failsNamingTypeRef)
 * </pre>
 */
final class DeclaredStateType {

  private DeclaredStateType() {}

  static <S> TypeRef<S> infer(String name, S initial) {
    TypeRef<S> declared =
        fromFactoryMethod(SimpleInstantiationStrategy.getCurrentlyInvokedFactoryMethod(), initial);
    if (declared != null) {
      return declared;
    }
    Class<?> type = initial.getClass();
    if (type.getTypeParameters().length == 0) {
      return TypeRef.<S>of((Type) type);
    }
    throw new IllegalArgumentException("cannot infer the state type of store '" + name
        + "': its initial state is a " + type.getName() + ", a generic class whose type "
        + "arguments are unknown at run time (and Vavr's List.empty() is a List$Nil, a class no "
        + "later state has). Declare the type: create the store in a @Bean method returning "
        + "Store<your state type>, or pass it, e.g. stores.create(\"" + name
        + "\", new TypeRef<List<Todo>>() {}, initial)");
  }

  static <S> @Nullable TypeRef<S> fromFactoryMethod(@Nullable Method method, S initial) {
    if (method == null) {
      return null;
    }
    ResolvableType state = ResolvableType.forMethodReturnType(method).as(Store.class).getGeneric(0);
    Class<?> raw = state.resolve();
    if (raw == null || state.hasUnresolvableGenerics() || !raw.isInstance(initial)) {
      return null;
    }
    Type type = plain(state);
    return type == null ? null : TypeRef.<S>of(type);
  }

  /** {@code type} as a plain reflective type, or null if it holds something not rebuilt here. */
  private static @Nullable Type plain(ResolvableType type) {
    Class<?> raw = type.resolve();
    if (raw == null || type.isArray() && type.getComponentType().hasGenerics()) {
      return null;
    }
    if (!type.hasGenerics()) {
      return raw;
    }
    ResolvableType[] generics = type.getGenerics();
    Type[] arguments = new Type[generics.length];
    for (int i = 0; i < generics.length; i++) {
      arguments[i] = plain(generics[i]);
      if (arguments[i] == null) {
        return null;
      }
    }
    return TypeRef.parameterized(raw, arguments).type();
  }
}
