package io.snapflux.spring.jackson;

import io.snapflux.jackson.vavr.VavrModule;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers the Jackson 3 {@link VavrModule} (snapflux-jackson-vavr) and the {@link
 * SnapfluxJacksonModule} as beans, which Spring Boot 4's {@link JacksonAutoConfiguration} adds to
 * the application's {@link JsonMapper} (and so to WebFlux's JSON codecs and Actuator's
 * endpoints). An application's own bean of either type replaces ours; a second registration of
 * the same module some other way (a customizer) is harmless, as Jackson keys modules by id.
 *
 * <p>Jackson 2 ({@code com.fasterxml.jackson.databind.ObjectMapper}) is not configured: under
 * Boot 4 the web stack serializes with Jackson 3.
 */
@AutoConfiguration(before = JacksonAutoConfiguration.class)
@ConditionalOnClass({JsonMapper.class, VavrModule.class})
public final class SnapfluxJacksonAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  VavrModule snapfluxVavrModule() {
    return new VavrModule();
  }

  @Bean
  @ConditionalOnMissingBean
  SnapfluxJacksonModule snapfluxJacksonModule() {
    return new SnapfluxJacksonModule();
  }
}
