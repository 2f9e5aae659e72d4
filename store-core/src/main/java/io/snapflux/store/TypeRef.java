package io.snapflux.store;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The declared type of a store's state, generics included: what a backend that keeps the state
 * outside the heap (a file, Redis) encodes and decodes. Capture a generic type with an anonymous
 * subclass, the "super type token" of Gafter, Jackson's {@code TypeReference} and Spring's
 * {@code ParameterizedTypeReference}:
 *
 * <pre>{@code
 * TypeRef<List<Todo>> todos = new TypeRef<>() {};
 * FileStore.builder(List.<Todo>empty(), todos)...
 * }</pre>
 *
 * <p>Why a declared type: the runtime class of a value is often not a type one can decode into.
 * Vavr's {@code List.empty()} is a {@code List$Nil}, which no later state (a {@code List$Cons})
 * is; a {@code HashMap<String, Todo>} erases to {@code HashMap}, whose values would come back as
 * JSON maps, not {@code Todo}s.
 *
 * <p>A {@code TypeRef} holds a concrete type: type variables anywhere in it are rejected at
 * construction (a token created inside a generic method, {@code new TypeRef<S>() {}}, would
 * otherwise silently decode {@code S} as {@code Object}). Instances are immutable and compare
 * equal when their types are equal.
 *
 * @param <S> the type of the state
 */
public abstract class TypeRef<S> {

  private final Type type;

  /**
   * Captures the type argument of the anonymous subclass being created.
   *
   * @throws IllegalArgumentException if the subclass does not give a concrete type argument
   */
  protected TypeRef() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType p) || p.getRawType() != TypeRef.class) {
      throw new IllegalArgumentException("a TypeRef must be created as a direct anonymous "
          + "subclass with a type argument, e.g. new TypeRef<List<Todo>>() {}, was "
          + getClass().getName());
    }
    this.type = requireConcrete(p.getActualTypeArguments()[0]);
  }

  private TypeRef(Type type) {
    this.type = requireConcrete(Objects.requireNonNull(type, "type"));
  }

  /**
   * The token of a class without type parameters (or whose type parameters may decode as {@code
   * Object}).
   *
   * @param type the class
   * @param <S> the type of the state
   * @return the token
   */
  public static <S> TypeRef<S> of(Class<S> type) {
    return new Resolved<>(type);
  }

  /**
   * The token of {@code type}, e.g. a {@link ParameterizedType} obtained by reflection or from
   * Spring's {@code ResolvableType.getType()}. The caller asserts that it denotes {@code S}, as
   * with an unchecked cast.
   *
   * @param type a concrete type
   * @param <S> the type of the state
   * @return the token
   * @throws IllegalArgumentException if {@code type} contains a type variable
   */
  public static <S> TypeRef<S> of(Type type) {
    return new Resolved<>(type);
  }

  /**
   * The token of {@code raw} applied to {@code arguments}: {@code parameterized(List.class,
   * Todo.class)} is {@code List<Todo>}. Arguments may themselves be parameterized types.
   *
   * @param raw a generic class
   * @param arguments one concrete type per type parameter of {@code raw}
   * @param <S> the type of the state
   * @return the token
   * @throws IllegalArgumentException if the number of arguments does not match {@code raw}'s type
   *     parameters, or an argument contains a type variable
   */
  public static <S> TypeRef<S> parameterized(Class<?> raw, Type... arguments) {
    return new Resolved<>(new Parameterized(raw, arguments));
  }

  /** The type, generics included. */
  public final Type type() {
    return type;
  }

  /** The class the type erases to ({@code List} for {@code List<Todo>}). */
  public final Class<?> rawType() {
    return rawClass(type);
  }

  /**
   * Returns {@code value} if it is an instance of {@link #rawType()}: the check that an initial
   * state fits the declared type (its type arguments cannot be checked at run time).
   *
   * @param value a value
   * @return {@code value}
   * @throws IllegalArgumentException if {@code value} is {@code null} or not an instance of the
   *     raw type; the message names both
   */
  @SuppressWarnings("unchecked")
  public final S requireInstance(@Nullable Object value) {
    if (!rawType().isInstance(value)) {
      throw new IllegalArgumentException("the initial state, "
          + (value == null ? "null" : "a " + value.getClass().getName())
          + ", is not an instance of the declared state type " + type.getTypeName());
    }
    return (S) value;
  }

  @Override
  public final boolean equals(@Nullable Object o) {
    return o instanceof TypeRef<?> other && type.equals(other.type);
  }

  @Override
  public final int hashCode() {
    return type.hashCode();
  }

  @Override
  public final String toString() {
    return "TypeRef<" + type.getTypeName() + ">";
  }

  private static Type requireConcrete(Type type) {
    Type variable = findVariable(type);
    if (variable != null) {
      throw new IllegalArgumentException("the state type " + type.getTypeName()
          + " contains the type variable " + variable.getTypeName() + ", which cannot be decoded: "
          + "create the TypeRef where the type is concrete (e.g. new TypeRef<List<Todo>>() {})");
    }
    return type;
  }

  private static @Nullable Type findVariable(Type type) {
    if (type instanceof TypeVariable<?>) {
      return type;
    }
    if (type instanceof ParameterizedType p) {
      for (Type argument : p.getActualTypeArguments()) {
        Type found = findVariable(argument);
        if (found != null) {
          return found;
        }
      }
      return p.getOwnerType() == null ? null : findVariable(p.getOwnerType());
    }
    if (type instanceof GenericArrayType a) {
      return findVariable(a.getGenericComponentType());
    }
    if (type instanceof WildcardType w) {
      for (Type bound : w.getUpperBounds()) {
        Type found = findVariable(bound);
        if (found != null) {
          return found;
        }
      }
      for (Type bound : w.getLowerBounds()) {
        Type found = findVariable(bound);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return rawClass(p.getRawType());
    }
    if (type instanceof GenericArrayType a) {
      return rawClass(a.getGenericComponentType()).arrayType();
    }
    if (type instanceof WildcardType w) {
      return rawClass(w.getUpperBounds()[0]);
    }
    throw new IllegalArgumentException("no raw class for " + type.getTypeName());
  }

  /** A token made from a type rather than by subclassing. */
  private static final class Resolved<S> extends TypeRef<S> {
    Resolved(Type type) {
      super(type);
    }
  }

  /** A parameterized type built by {@link #parameterized}; equal to the JDK's for the same type. */
  private static final class Parameterized implements ParameterizedType {

    private final Class<?> raw;
    private final Type[] arguments;

    Parameterized(Class<?> raw, Type... arguments) {
      Objects.requireNonNull(raw, "raw");
      Objects.requireNonNull(arguments, "arguments");
      int expected = raw.getTypeParameters().length;
      if (expected == 0 || expected != arguments.length) {
        throw new IllegalArgumentException(raw.getName() + " has " + expected
            + " type parameter(s), given " + arguments.length + " argument(s)");
      }
      for (Type argument : arguments) {
        Objects.requireNonNull(argument, "a type argument");
      }
      this.raw = raw;
      this.arguments = arguments.clone();
    }

    @Override
    public Type[] getActualTypeArguments() {
      return arguments.clone();
    }

    @Override
    public Type getRawType() {
      return raw;
    }

    @Override
    public @Nullable Type getOwnerType() {
      return raw.getDeclaringClass();
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof ParameterizedType p
          && raw.equals(p.getRawType())
          && Objects.equals(getOwnerType(), p.getOwnerType())
          && Arrays.equals(arguments, p.getActualTypeArguments());
    }

    @Override
    public int hashCode() {
      // The JDK's ParameterizedTypeImpl formula, so both kinds hash alike.
      return Arrays.hashCode(arguments) ^ Objects.hashCode(getOwnerType()) ^ raw.hashCode();
    }

    @Override
    public String getTypeName() {
      StringBuilder name = new StringBuilder(raw.getTypeName()).append('<');
      for (int i = 0; i < arguments.length; i++) {
        name.append(i == 0 ? "" : ", ").append(arguments[i].getTypeName());
      }
      return name.append('>').toString();
    }

    @Override
    public String toString() {
      return getTypeName();
    }
  }
}
