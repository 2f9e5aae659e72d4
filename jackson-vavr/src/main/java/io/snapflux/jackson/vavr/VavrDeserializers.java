package io.snapflux.jackson.vavr;

import io.vavr.Tuple;
import io.vavr.collection.Map;
import io.vavr.collection.Multimap;
import io.vavr.collection.Traversable;
import io.vavr.control.Option;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.Deserializers;
import tools.jackson.databind.jsontype.TypeDeserializer;
import tools.jackson.databind.type.CollectionLikeType;
import tools.jackson.databind.type.MapLikeType;
import tools.jackson.databind.type.ReferenceType;

/** Finds the deserializer for a Vavr type; {@code null} for every other type. */
final class VavrDeserializers extends Deserializers.Base {

  @Override
  public @Nullable ValueDeserializer<?> findBeanDeserializer(JavaType type,
      DeserializationConfig config, BeanDescription.Supplier beanDescRef) {
    Class<?> raw = type.getRawClass();
    if (raw == Option.class) {
      return new OptionDeserializer(type, parameter(config, type, Option.class, 0), null, null);
    }
    int arity = TupleDeserializer.arity(raw);
    if (arity >= 0) {
      return new TupleDeserializer(type, arity);
    }
    VavrTypes.MapKind mapKind = VavrTypes.mapKind(raw);
    if (mapKind != null) {
      return new MapDeserializer(type, mapKind, parameter(config, type, Map.class, 0),
          parameter(config, type, Map.class, 1), null, null, null);
    }
    VavrTypes.SeqKind seqKind = VavrTypes.seqKind(raw);
    if (seqKind != null) {
      return new SeqDeserializer(type, seqKind, parameter(config, type, Traversable.class, 0),
          null, null);
    }
    if (isVavr(raw)) {
      return new UnsupportedDeserializer(type);
    }
    return null;
  }

  // A caller may hand Jackson a collection-like, map-like or reference type it built for a Vavr
  // class (TypeFactory.constructCollectionLikeType): Jackson then asks these, not the above.

  @Override
  public @Nullable ValueDeserializer<?> findCollectionLikeDeserializer(CollectionLikeType type,
      DeserializationConfig config, BeanDescription.Supplier beanDescRef,
      @Nullable TypeDeserializer elementTypeDeserializer,
      @Nullable ValueDeserializer<?> elementDeserializer) {
    return findBeanDeserializer(type, config, beanDescRef);
  }

  @Override
  public @Nullable ValueDeserializer<?> findMapLikeDeserializer(MapLikeType type,
      DeserializationConfig config, BeanDescription.Supplier beanDescRef,
      @Nullable KeyDeserializer keyDeserializer, @Nullable TypeDeserializer elementTypeDeserializer,
      @Nullable ValueDeserializer<?> elementDeserializer) {
    return findBeanDeserializer(type, config, beanDescRef);
  }

  @Override
  public @Nullable ValueDeserializer<?> findReferenceDeserializer(ReferenceType type,
      DeserializationConfig config, BeanDescription.Supplier beanDescRef,
      @Nullable TypeDeserializer contentTypeDeserializer,
      @Nullable ValueDeserializer<?> contentDeserializer) {
    return findBeanDeserializer(type, config, beanDescRef);
  }

  @Override
  public boolean hasDeserializerFor(DeserializationConfig config, Class<?> valueType) {
    return isVavr(valueType) || valueType == Option.class;
  }

  private static boolean isVavr(Class<?> raw) {
    return Traversable.class.isAssignableFrom(raw)
        || Multimap.class.isAssignableFrom(raw)
        || Tuple.class.isAssignableFrom(raw);
  }

  /** The {@code index}th type argument of {@code type} as a {@code target}; Object if raw. */
  static JavaType parameter(DeserializationConfig config, JavaType type, Class<?> target,
      int index) {
    JavaType[] params = type.findTypeParameters(target);
    return index < params.length ? params[index] : config.constructType(Object.class);
  }
}
