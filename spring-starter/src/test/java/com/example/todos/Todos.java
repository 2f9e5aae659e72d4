package com.example.todos;

import io.vavr.collection.List;

/** The whole state of the application: one immutable value. */
public record Todos(List<String> items) {

  public Todos add(String item) {
    return new Todos(items.append(item));
  }
}
