package io.snapflux.sample.web;

import io.vavr.jackson.datatype.VavrModule;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Jackson learns Vavr's collections, which the state is made of. */
@Configuration(proxyBeanMethods = false)
class JsonConfiguration {

  @Bean
  VavrModule vavrModule() {
    return new VavrModule();
  }
}
