package io.snapflux.sample.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code HEAD /}: Spring Boot's welcome page answers only GET, so HEAD of the page was 404 while
 * GET was 200 (RFC 9110 9.3.2: HEAD is GET without the content). Same headers, no body.
 */
@Configuration(proxyBeanMethods = false)
class PageHeadRoute {

  @Bean
  RouterFunction<ServerResponse> headOfPage() {
    Resource page = new ClassPathResource("static/index.html");
    return RouterFunctions.route(RequestPredicates.HEAD("/"),
        request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(page));
  }
}
