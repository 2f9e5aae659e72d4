package io.snapflux.sample.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

/**
 * Content negotiation must be settled before a write commits: Spring refuses an unacceptable
 * {@code Accept} while choosing the handler only when the mapping declares what it produces. A
 * write mapping without {@code produces} would negotiate after its handler ran, and could answer
 * 406 for a change it made. This keeps every write mapping, present and future, declaring it.
 */
@SpringBootTest
final class WriteMappingsTest {

  private static final Set<RequestMethod> WRITES =
      Set.of(RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE);

  /** The application's mappings and any other (Actuator adds one for its endpoints). */
  @Autowired List<RequestMappingHandlerMapping> mappings;

  @Test
  void everyWriteMapping_declaresWhatItProduces() {
    var writes = mappings.stream()
        .flatMap(m -> m.getHandlerMethods().keySet().stream())
        .filter(WriteMappingsTest::isWrite)
        .toList();
    assertThat(writes).as("write mappings").hasSizeGreaterThanOrEqualTo(4);
    assertThat(writes).allSatisfy(mapping ->
        assertThat(mapping.getProducesCondition().getProducibleMediaTypes())
            .as("produces of %s", mapping)
            .isNotEmpty());
  }

  private static boolean isWrite(RequestMappingInfo mapping) {
    Set<RequestMethod> methods = mapping.getMethodsCondition().getMethods();
    return methods.isEmpty() || methods.stream().anyMatch(WRITES::contains);
  }
}
