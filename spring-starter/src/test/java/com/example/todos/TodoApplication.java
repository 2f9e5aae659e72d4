package com.example.todos;

import io.snapflux.spring.StoreFactory;
import io.snapflux.store.Store;
import io.vavr.collection.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
public class TodoApplication {

  public static void main(String[] args) {
    SpringApplication.run(TodoApplication.class, args);
  }

  @Bean
  Store<Todos> todos(StoreFactory stores) {
    return stores.create("todos", new Todos(List.empty()));
  }
}
