package io.snapflux.spring.jackson;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vavr.jackson.datatype.VavrModule;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Registers vavr-jackson's {@link VavrModule} and the {@link SnapfluxJacksonModule} as beans, which
 * Spring Boot's {@link JacksonAutoConfiguration} adds to the application's {@code ObjectMapper}
 * (and so to WebFlux's JSON codecs). An application's own bean of either type replaces ours; an
 * application that registers the Vavr module some other way (a customizer) loses nothing, as
 * Jackson ignores a second registration of the same module.
 */
@AutoConfiguration(before = JacksonAutoConfiguration.class)
@ConditionalOnClass({ObjectMapper.class, VavrModule.class})
public final class SnapfluxJacksonAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  VavrModule vavrModule() {
    return new VavrModule();
  }

  @Bean
  @ConditionalOnMissingBean
  SnapfluxJacksonModule snapfluxJacksonModule() {
    return new SnapfluxJacksonModule();
  }
}
