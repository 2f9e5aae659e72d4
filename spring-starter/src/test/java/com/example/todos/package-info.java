/**
 * The "first store in a Boot 4 application" walk-through of docs/spring-boot.md: the docs show
 * these files verbatim, and {@link com.example.todos.FirstStoreWalkthroughTest} runs them.
 */
package com.example.todos;
