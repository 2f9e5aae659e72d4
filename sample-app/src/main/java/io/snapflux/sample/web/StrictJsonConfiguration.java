package io.snapflux.sample.web;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;

/**
 * One strict reading for every request body, set once on the application's {@code JsonMapper}
 * (which WebFlux's codecs use): a JSON object with a duplicate member, or a body with anything
 * after its JSON value, is malformed and answered 400 by {@link ProblemAdvice}, never read as
 * "the last one wins" or "the first value only". Jackson 3 already refuses trailing tokens by
 * default; it is enabled here as well, so the sample states the rule rather than inheriting it.
 */
@Configuration(proxyBeanMethods = false)
class StrictJsonConfiguration {

  @Bean
  JsonMapperBuilderCustomizer strictJsonReading() {
    return builder -> builder
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }
}
