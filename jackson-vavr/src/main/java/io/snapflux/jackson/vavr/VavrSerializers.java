package io.snapflux.jackson.vavr;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.vavr.Tuple;
import io.vavr.collection.Map;
import io.vavr.collection.Multimap;
import io.vavr.collection.Traversable;
import io.vavr.control.Option;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.SerializationConfig;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.jsontype.TypeSerializer;
import tools.jackson.databind.ser.Serializers;
import tools.jackson.databind.type.CollectionLikeType;
import tools.jackson.databind.type.MapLikeType;
import tools.jackson.databind.type.ReferenceType;

/** Finds the serializer for a Vavr type; {@code null} for every other type. */
final class VavrSerializers extends Serializers.Base {

  @Override
  public @Nullable ValueSerializer<?> findSerializer(SerializationConfig config, JavaType type,
      BeanDescription.Supplier beanDescRef, JsonFormat.Value formatOverrides) {
    Class<?> raw = type.getRawClass();
    if (Option.class.isAssignableFrom(raw)) {
      return new OptionSerializer(type);
    }
    if (Tuple.class.isAssignableFrom(raw)) {
      return new TupleSerializer(type);
    }
    if (Map.class.isAssignableFrom(raw)) {
      return new MapSerializer(type);
    }
    if (Traversable.class.isAssignableFrom(raw)) {
      return VavrTypes.isSupportedTraversable(raw)
          ? new TraversableSerializer(type)
          : new UnsupportedSerializer(type);
    }
    if (Multimap.class.isAssignableFrom(raw)) {
      return new UnsupportedSerializer(type);
    }
    return null;
  }

  // Types built as collection-like, map-like or reference types reach these instead.

  @Override
  public @Nullable ValueSerializer<?> findCollectionLikeSerializer(SerializationConfig config,
      CollectionLikeType type, BeanDescription.Supplier beanDescRef,
      JsonFormat.Value formatOverrides, @Nullable TypeSerializer elementTypeSerializer,
      @Nullable ValueSerializer<Object> elementValueSerializer) {
    return findSerializer(config, type, beanDescRef, formatOverrides);
  }

  @Override
  public @Nullable ValueSerializer<?> findMapLikeSerializer(SerializationConfig config,
      MapLikeType type, BeanDescription.Supplier beanDescRef, JsonFormat.Value formatOverrides,
      @Nullable ValueSerializer<Object> keySerializer,
      @Nullable TypeSerializer elementTypeSerializer,
      @Nullable ValueSerializer<Object> elementValueSerializer) {
    return findSerializer(config, type, beanDescRef, formatOverrides);
  }

  @Override
  public @Nullable ValueSerializer<?> findReferenceSerializer(SerializationConfig config,
      ReferenceType type, BeanDescription.Supplier beanDescRef, JsonFormat.Value formatOverrides,
      @Nullable TypeSerializer contentTypeSerializer,
      @Nullable ValueSerializer<Object> contentValueSerializer) {
    return findSerializer(config, type, beanDescRef, formatOverrides);
  }
}
