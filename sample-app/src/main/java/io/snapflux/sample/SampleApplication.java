package io.snapflux.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Runs the feature-flag service: {@code ./mvnw -pl sample-app -am spring-boot:run}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

  public static void main(String[] args) {
    SpringApplication.run(SampleApplication.class, args);
  }
}
