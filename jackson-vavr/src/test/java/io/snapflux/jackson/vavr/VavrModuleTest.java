package io.snapflux.jackson.vavr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vavr.Tuple0;
import io.vavr.Tuple2;
import io.vavr.Tuple3;
import io.vavr.Tuple8;
import io.vavr.Tuple;
import io.vavr.collection.Array;
import io.vavr.collection.CharSeq;
import io.vavr.collection.HashMap;
import io.vavr.collection.HashMultimap;
import io.vavr.collection.HashSet;
import io.vavr.collection.IndexedSeq;
import io.vavr.collection.LinkedHashMap;
import io.vavr.collection.LinkedHashSet;
import io.vavr.collection.List;
import io.vavr.collection.Map;
import io.vavr.collection.PriorityQueue;
import io.vavr.collection.Queue;
import io.vavr.collection.Seq;
import io.vavr.collection.Set;
import io.vavr.collection.SortedMap;
import io.vavr.collection.SortedSet;
import io.vavr.collection.Stream;
import io.vavr.collection.TreeMap;
import io.vavr.collection.TreeSet;
import io.vavr.collection.Vector;
import io.vavr.control.Option;
import java.time.DayOfWeek;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Round trips through a Jackson 3 {@code JsonMapper} with the module, shaped after vavr-jackson's
 * own suites for the same types: every collection kind full and empty, the JSON form, nested
 * generics, null and missing values, and errors that name the problem.
 */
final class VavrModuleTest {

  private static final JsonMapper MAPPER = JsonMapper.builder().addModule(new VavrModule()).build();

  record Item(String name, int quantity) {}

  record Owners(Map<String, List<Item>> byOwner, Option<Tuple2<String, Integer>> best,
      Vector<Option<String>> notes, TreeMap<Integer, Set<String>> byRank) {}

  record Node(String name, List<Node> children) {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes({@JsonSubTypes.Type(value = Circle.class, name = "circle"),
      @JsonSubTypes.Type(value = Square.class, name = "square")})
  sealed interface Shape permits Circle, Square {}

  record Circle(double radius) implements Shape {}

  record Square(double side) implements Shape {}

  record Shapes(List<Shape> list, Map<String, Shape> byName, Option<Shape> favourite) {}

  record Declared(Seq<String> seq, IndexedSeq<String> indexed, Set<String> set,
      SortedSet<String> sorted, Map<String, Integer> map, SortedMap<String, Integer> sortedMap) {}

  record Optional(Option<String> description, List<String> tags, HashMap<String, Integer> counts) {}

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  record Sparse(String name, List<String> tags, Option<String> description) {}

  static java.util.stream.Stream<Arguments> collections() {
    Item a = new Item("a", 1);
    Item b = new Item("b", 2);
    return java.util.stream.Stream.of(
        Arguments.of(new TypeReference<List<Item>>() {}, List.of(a, b)),
        Arguments.of(new TypeReference<Vector<Item>>() {}, Vector.of(a, b)),
        Arguments.of(new TypeReference<Queue<Item>>() {}, Queue.of(a, b)),
        Arguments.of(new TypeReference<Array<Item>>() {}, Array.of(a, b)),
        Arguments.of(new TypeReference<Stream<Item>>() {}, Stream.of(a, b)),
        Arguments.of(new TypeReference<HashSet<Item>>() {}, HashSet.of(a, b)),
        Arguments.of(new TypeReference<LinkedHashSet<Item>>() {}, LinkedHashSet.of(b, a)),
        Arguments.of(new TypeReference<TreeSet<String>>() {}, TreeSet.of("b", "a", "c")),
        Arguments.of(new TypeReference<HashMap<String, Item>>() {}, HashMap.of("x", a, "y", b)),
        Arguments.of(new TypeReference<LinkedHashMap<String, Item>>() {},
            LinkedHashMap.of("y", b, "x", a)),
        Arguments.of(new TypeReference<TreeMap<Integer, Item>>() {}, TreeMap.of(2, b, 1, a)),
        Arguments.of(new TypeReference<HashMap<DayOfWeek, Long>>() {},
            HashMap.of(DayOfWeek.MONDAY, 1L, DayOfWeek.FRIDAY, 5L)),
        Arguments.of(new TypeReference<Option<Item>>() {}, Option.some(a)),
        Arguments.of(new TypeReference<Tuple2<String, Item>>() {}, Tuple.of("x", a)),
        Arguments.of(new TypeReference<Tuple3<Integer, Option<String>, List<Item>>>() {},
            Tuple.of(1, Option.none(), List.of(a))),
        Arguments.of(new TypeReference<Tuple8<Integer, Integer, Integer, Integer, Integer, Integer,
            Integer, String>>() {}, Tuple.of(1, 2, 3, 4, 5, 6, 7, "8")),
        Arguments.of(new TypeReference<Tuple0>() {}, Tuple.empty()));
  }

  @ParameterizedTest
  @MethodSource("collections")
  void roundTrip_eachSupportedType_isEqual(TypeReference<?> type, Object value) {
    String json = MAPPER.writeValueAsString(value);

    Object read = MAPPER.readValue(json, type);

    assertThat(read).isEqualTo(value).hasSameClassAs(value);
    if (value instanceof io.vavr.collection.Traversable<?> t && !(value instanceof HashSet<?>)
        && !(value instanceof HashMap<?, ?>)) {
      // Order is kept for every ordered kind (LinkedHash*, Tree*, sequences).
      assertThat(java.util.List.copyOf(((io.vavr.collection.Traversable<?>) read).toJavaList()))
          .isEqualTo(t.toJavaList());
    }
  }

  @ParameterizedTest
  @MethodSource("collections")
  void roundTrip_emptyCollection_isEmptyOfSameType(TypeReference<?> type, Object value) {
    if (!(value instanceof io.vavr.collection.Traversable<?> t)) {
      return;
    }
    Object empty = MAPPER.readValue(MAPPER.writeValueAsString(t.take(0)), type);

    assertThat(empty).hasSameClassAs(t.take(0));
    assertThat(((io.vavr.collection.Traversable<?>) empty).isEmpty()).isTrue();
  }

  @Test
  void write_collections_haveTheirPlainJsonForms() {
    assertThat(MAPPER.writeValueAsString(List.of(1, 2))).isEqualTo("[1,2]");
    assertThat(MAPPER.writeValueAsString(TreeSet.of(2, 1))).isEqualTo("[1,2]");
    assertThat(MAPPER.writeValueAsString(LinkedHashMap.of("b", 1, "a", 2)))
        .isEqualTo("{\"b\":1,\"a\":2}");
    assertThat(MAPPER.writeValueAsString(TreeMap.of(10, "x", 9, "y")))
        .isEqualTo("{\"9\":\"y\",\"10\":\"x\"}");
    assertThat(MAPPER.writeValueAsString(Option.some("x"))).isEqualTo("\"x\"");
    assertThat(MAPPER.writeValueAsString(Option.none())).isEqualTo("null");
    assertThat(MAPPER.writeValueAsString(Tuple.of("a", 1))).isEqualTo("[\"a\",1]");
    assertThat(MAPPER.writeValueAsString(List.empty())).isEqualTo("[]");
  }

  @Test
  void roundTrip_nestedGenerics_isEqual() {
    Owners owners = new Owners(
        HashMap.of("alice", List.of(new Item("pen", 2)), "bob", List.empty()),
        Option.some(Tuple.of("pen", 2)),
        Vector.of(Option.some("first"), Option.none()),
        TreeMap.of(1, HashSet.of("gold"), 2, HashSet.empty()));

    String json = MAPPER.writeValueAsString(owners);

    assertThat(MAPPER.readValue(json, Owners.class)).isEqualTo(owners);
    assertThat(json).contains("\"alice\":[{\"name\":\"pen\",\"quantity\":2}]");
  }

  @Test
  void roundTrip_recursiveType_isEqual() {
    Node tree = new Node("root", List.of(new Node("a", List.empty()),
        new Node("b", List.of(new Node("c", List.empty())))));

    assertThat(MAPPER.readValue(MAPPER.writeValueAsString(tree), Node.class)).isEqualTo(tree);
  }

  @Test
  void roundTrip_polymorphicElements_keepTheirSubtypes() {
    Shapes shapes = new Shapes(List.of(new Circle(1), new Square(2)),
        LinkedHashMap.of("c", new Circle(3)), Option.some(new Square(4)));

    String json = MAPPER.writeValueAsString(shapes);

    assertThat(json).contains("\"kind\":\"circle\"", "\"kind\":\"square\"");
    assertThat(MAPPER.readValue(json, Shapes.class)).isEqualTo(shapes);
  }

  @Test
  void read_interfaceTypes_useTheUsualImplementations() {
    String json = "{\"seq\":[\"a\"],\"indexed\":[\"b\"],\"set\":[\"c\"],\"sorted\":[\"e\",\"d\"],"
        + "\"map\":{\"f\":1},\"sortedMap\":{\"h\":2,\"g\":1}}";

    Declared read = MAPPER.readValue(json, Declared.class);

    assertThat(read.seq()).isInstanceOf(List.class).containsExactly("a");
    assertThat(read.indexed()).isInstanceOf(Vector.class).containsExactly("b");
    assertThat(read.set()).isInstanceOf(HashSet.class).containsExactly("c");
    assertThat(read.sorted()).isInstanceOf(TreeSet.class).containsExactly("d", "e");
    assertThat(read.map()).isInstanceOf(HashMap.class).isEqualTo(HashMap.of("f", 1));
    assertThat(read.sortedMap()).isInstanceOf(TreeMap.class)
        .containsExactly(Tuple.of("g", 1), Tuple.of("h", 2));
  }

  @Test
  void read_missingProperties_areNoneAndEmptyCollections() {
    Optional read = MAPPER.readValue("{}", Optional.class);

    assertThat(read).isEqualTo(new Optional(Option.none(), List.empty(), HashMap.empty()));
  }

  @Test
  void read_nullProperties_areNoneAndEmptyCollections() {
    Optional read = MAPPER.readValue(
        "{\"description\":null,\"tags\":null,\"counts\":null}", Optional.class);

    assertThat(read).isEqualTo(new Optional(Option.none(), List.empty(), HashMap.empty()));
  }

  @Test
  void read_nullElements_followTheElementType() {
    List<String> strings = MAPPER.readValue("[\"a\",null]", new TypeReference<List<String>>() {});
    List<Option<String>> options =
        MAPPER.readValue("[\"a\",null]", new TypeReference<List<Option<String>>>() {});
    HashMap<String, Option<Integer>> values =
        MAPPER.readValue("{\"a\":null}", new TypeReference<HashMap<String, Option<Integer>>>() {});

    assertThat(strings).containsExactly("a", null);
    assertThat(options).containsExactly(Option.some("a"), Option.none());
    assertThat(values).isEqualTo(HashMap.of("a", Option.none()));
  }

  @Test
  void write_someNull_readsBackAsNone() {
    String json = MAPPER.writeValueAsString(Option.some(null));

    assertThat(MAPPER.readValue(json, new TypeReference<Option<String>>() {})).isEqualTo(Option.none());
  }

  @Test
  void write_nonEmptyInclusion_leavesOutEmptyCollectionsAndNone() {
    String json = MAPPER.writeValueAsString(new Sparse("x", List.empty(), Option.none()));

    assertThat(json).isEqualTo("{\"name\":\"x\"}");
    assertThat(MAPPER.readValue(json, Sparse.class))
        .isEqualTo(new Sparse("x", List.empty(), Option.none()));
  }

  @Test
  void read_objectForASequence_failsNamingTheType() {
    assertThatThrownBy(() -> MAPPER.readValue("{\"a\":1}", new TypeReference<List<String>>() {}))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("List needs a JSON array");
  }

  @Test
  void read_arrayForAMap_failsNamingTheType() {
    assertThatThrownBy(() -> MAPPER.readValue("[1]", new TypeReference<HashMap<String, Integer>>() {}))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("HashMap needs a JSON object");
  }

  @Test
  void read_tupleOfWrongArity_failsNamingTheArity() {
    assertThatThrownBy(() -> MAPPER.readValue("[1,2,3]",
        new TypeReference<Tuple2<Integer, Integer>>() {}))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("Tuple2 needs a JSON array of 2 elements");
    assertThatThrownBy(() -> MAPPER.readValue("[1]",
        new TypeReference<Tuple2<Integer, Integer>>() {}))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("Tuple2 needs a JSON array of 2 elements, got 1");
  }

  @Test
  void read_badKey_failsNamingTheKey() {
    assertThatThrownBy(() -> MAPPER.readValue("{\"x\":1}",
        new TypeReference<HashMap<Integer, Integer>>() {}))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("\"x\"");
  }

  @Test
  void read_badElement_failsWithItsPath() {
    assertThatThrownBy(() -> MAPPER.readValue("{\"byOwner\":{\"a\":[{\"name\":\"p\",\"quantity\":\"many\"}]}}",
        Owners.class))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("quantity")
        .hasMessageContaining("byOwner");
  }

  @Test
  void read_treeSetOfNonComparable_failsNamingTheRule() {
    assertThatThrownBy(() -> MAPPER.readValue("[{\"name\":\"a\",\"quantity\":1}]",
        new TypeReference<TreeSet<Item>>() {}))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("TreeSet needs Comparable elements");
  }

  @Test
  void unsupportedVavrTypes_failOnWriteAndRead() {
    assertThatThrownBy(() -> MAPPER.writeValueAsString(HashMultimap.withSeq().of("a", 1)))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("does not support");
    assertThatThrownBy(() -> MAPPER.writeValueAsString(PriorityQueue.of(1, 2)))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("does not support");
    assertThatThrownBy(() -> MAPPER.readValue("\"ab\"", CharSeq.class))
        .isInstanceOf(DatabindException.class)
        .hasMessageContaining("does not support");
  }

  @Test
  void read_rawCollection_readsElementsAsPlainJsonValues() {
    JavaType raw = MAPPER.constructType(List.class);

    List<Object> read = MAPPER.readValue("[1,\"a\",{\"b\":true}]", raw);

    assertThat(read).containsExactly(1, "a", java.util.Map.of("b", true));
  }

  @Test
  void roundTrip_typesBuiltAsCollectionOrMapLike_useTheModule() {
    JavaType listType = MAPPER.getTypeFactory().constructCollectionLikeType(List.class, Item.class);
    JavaType mapType =
        MAPPER.getTypeFactory().constructMapLikeType(HashMap.class, String.class, Integer.class);
    List<Item> list = List.of(new Item("a", 1));

    Object readList = MAPPER.readValue(MAPPER.writerFor(listType).writeValueAsString(list), listType);
    Object readMap = MAPPER.readValue("{\"a\":1}", mapType);

    assertThat(readList).isEqualTo(list);
    assertThat(readMap).isEqualTo(HashMap.of("a", 1));
  }
}
