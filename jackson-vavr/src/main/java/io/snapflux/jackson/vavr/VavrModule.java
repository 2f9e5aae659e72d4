package io.snapflux.jackson.vavr;

import tools.jackson.core.Version;
import tools.jackson.databind.JacksonModule;

/**
 * A Jackson 3 module for Vavr's persistent collections, {@code Option} and tuples.
 *
 * <pre>{@code
 * JsonMapper mapper = JsonMapper.builder().addModule(new VavrModule()).build();
 * }</pre>
 *
 * <table>
 *   <caption>JSON forms</caption>
 *   <tr><th>Vavr type</th><th>JSON</th></tr>
 *   <tr><td>{@code List}, {@code Vector}, {@code Queue}, {@code Array}, {@code Stream} (finite),
 *       {@code HashSet}, {@code LinkedHashSet}, {@code TreeSet}</td><td>an array</td></tr>
 *   <tr><td>{@code HashMap}, {@code LinkedHashMap}, {@code TreeMap}</td><td>an object; keys are
 *       written and read by Jackson's key (de)serializers, as for {@code java.util.Map}</td></tr>
 *   <tr><td>{@code Option}</td><td>the value, or {@code null} for {@code None}</td></tr>
 *   <tr><td>{@code Tuple0} … {@code Tuple8}</td><td>an array of exactly that many
 *       elements</td></tr>
 * </table>
 *
 * <p>A field declared with an interface type reads as its usual implementation: {@code Seq},
 * {@code LinearSeq} and {@code Traversable} as {@code List}, {@code IndexedSeq} as {@code Vector},
 * {@code Set} as {@code HashSet}, {@code SortedSet} as {@code TreeSet}, {@code Map} as {@code
 * HashMap}, {@code SortedMap} as {@code TreeMap}. Sorted types use the natural order, so their
 * elements (keys) must be {@code Comparable}.
 *
 * <p>{@code null} and missing values: a collection read from JSON {@code null}, or missing from an
 * object, is the empty collection (so an application that adds a collection field to its state
 * can read JSON written before the field existed); an {@code Option} read from {@code null} or
 * missing is {@code None}. {@code Some(null)} is written as {@code null} and so reads back as
 * {@code None}. Elements keep Jackson's own rules ({@code null} for a record element, {@code None}
 * for an {@code Option} element).
 *
 * <p>Malformed input fails with a {@code DatabindException} naming the Vavr type and what was
 * expected (an array for a sequence, an object for a map, a tuple's arity, a comparable element
 * for a sorted type).
 */
public final class VavrModule extends JacksonModule {

  /** Creates the module. */
  public VavrModule() {}

  @Override
  public String getModuleName() {
    return "snapflux-jackson-vavr";
  }

  @Override
  public Version version() {
    return Version.unknownVersion();
  }

  @Override
  public void setupModule(SetupContext context) {
    context.addSerializers(new VavrSerializers());
    context.addDeserializers(new VavrDeserializers());
  }
}
