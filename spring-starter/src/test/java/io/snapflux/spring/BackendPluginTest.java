package io.snapflux.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapflux.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;

/**
 * The backend plugin SPI: a third-party backend, defined only in this test and contributed the
 * way the file and Redis modules contribute theirs (an auto-configuration ordered before {@link
 * SnapfluxAutoConfiguration}, conditional on {@code snapflux.backend}), is selected by the
 * property; ids are unique and well-formed.
 */
final class BackendPluginTest {

  /** A third-party backend: in-memory stores that start at version 41 and are recorded. */
  static final class TestBackend implements StoreBackend {
    final List<String> created = new CopyOnWriteArrayList<>();
    private final String id;

    TestBackend(String id) {
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public <S> Store<S> create(StoreDefinition<S> definition) {
      created.add(definition.name());
      return definition.builder().initialVersion(41).build();
    }

    @Override
    public String toString() {
      return "test(" + id + ")";
    }
  }

  /**
   * The plugin's auto-configuration, as a third-party backend module would register it; shown
   * verbatim in docs/spring-boot.md.
   */
  // tag::plugin[]
  @AutoConfiguration(before = SnapfluxAutoConfiguration.class)
  @ConditionalOnProperty(prefix = "snapflux", name = "backend", havingValue = "test-backend")
  static class TestBackendAutoConfiguration {
    @Bean
    StoreBackend testBackend() {
      return new TestBackend("test-backend");              // its id() is "test-backend"
    }
  }
  // end::plugin[]

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(
          SnapfluxAutoConfiguration.class, TestBackendAutoConfiguration.class))
      .withUserConfiguration(SnapfluxAutoConfigurationTest.AppStores.class);

  @Test
  void thirdPartyPlugin_selectedByProperty_createsTheStores() {
    runner.withPropertyValues("snapflux.backend=test-backend").run(context -> {
      assertThat(context).hasNotFailed();
      StoreFactory factory = context.getBean(StoreFactory.class);
      TestBackend plugin = context.getBean(TestBackend.class);
      assertThat(factory.backend()).isSameAs(plugin);
      assertThat(factory.backend().id()).isEqualTo("test-backend");
      assertThat(plugin.created).containsExactly("counter");
      Store<?> counter = context.getBean(Store.class);
      assertThat(counter.snapshot().version()).isEqualTo(41);
      assertThat(factory.toString()).contains("backend=test-backend");
    });
  }

  @Test
  void thirdPartyPlugin_notSelected_memoryIsUsed() {
    runner.withBean("standby", TestBackend.class, () -> new TestBackend("test-backend"))
        .run(context -> {
          TestBackend plugin = context.getBean(TestBackend.class);
          assertThat(context.getBean(StoreFactory.class).backend().id()).isEqualTo("memory");
          assertThat(plugin.created).isEmpty();
          assertThat(context.getBean(Store.class).snapshot().version()).isZero();
        });
  }

  @Test
  void unknownId_failureListsTheAvailablePlugins() {
    runner.withPropertyValues("snapflux.backend=tape")
        .withBean("standby", TestBackend.class, () -> new TestBackend("test-backend"))
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .isInstanceOf(BackendUnavailableException.class)
              .hasMessage("snapflux.backend=tape but no backend with id 'tape' is available"
                  + " (available: memory, test-backend)");
          BackendUnavailableException cause = (BackendUnavailableException)
              rootCause(context.getStartupFailure());
          assertThat(cause.backend()).isEqualTo("tape");
          assertThat(cause.available()).containsExactly("memory", "test-backend");
        });
  }

  @Test
  void twoPluginsWithTheSameId_failStartupNamingBoth() {
    runner.withPropertyValues("snapflux.backend=test-backend")
        .withBean("another", TestBackend.class, () -> new TestBackend("test-backend"))
        .run(context -> {
          assertThat(context).hasFailed();
          Throwable root = rootCause(context.getStartupFailure());
          assertThat(root).isInstanceOf(DuplicateBackendException.class)
              .hasMessage("2 StoreBackend beans have the id 'test-backend': "
                  + TestBackend.class.getName() + " (test(test-backend)); "
                  + TestBackend.class.getName() + " (test(test-backend))"
                  + " (each backend id must be unique)");
          FailureAnalysis analysis = new DuplicateBackendFailureAnalyzer()
              .analyze(context.getStartupFailure());
          assertThat(analysis.getDescription())
              .startsWith("Several Snapflux backends have the id 'test-backend':");
          assertThat(analysis.getAction())
              .contains("Keep one StoreBackend bean with the id 'test-backend'");
        });
  }

  @Test
  void duplicateIds_failEvenWhenAnotherBackendIsSelected() {
    runner.withBean("one", TestBackend.class, () -> new TestBackend("twin"))
        .withBean("two", TestBackend.class, () -> new TestBackend("twin"))
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(DuplicateBackendException.class)
            .hasMessageContaining("the id 'twin'"));
  }

  @Test
  void malformedPluginId_failsStartupNamingThePlugin() {
    runner.withBean("bad", TestBackend.class, () -> new TestBackend("Test Backend"))
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("StoreBackend " + TestBackend.class.getName()
                + " (test(Test Backend)) has the id 'Test Backend'; a backend id must match "
                + "[a-z][a-z0-9-]*"));
  }

  @Test
  void pluginWithTheMemoryId_replacesTheBuiltInMemoryBackend() {
    runner.withBean("myMemory", TestBackend.class, () -> new TestBackend("memory"))
        .run(context -> {
          assertThat(context.getBean(StoreFactory.class).backend())
              .isSameAs(context.getBean(TestBackend.class));
          assertThat(context.getBean(Store.class).snapshot().version()).isEqualTo(41);
        });
  }

  @Test
  void docs_showThePluginAutoConfigurationVerbatim() throws IOException {
    String source = Files.readString(
        Path.of("../spring-starter/src/test/java/io/snapflux/spring/BackendPluginTest.java"));
    Matcher region = Pattern.compile("// tag::plugin\\[]\n(.*?)\n\\s*// end::plugin\\[]",
        Pattern.DOTALL).matcher(source);
    assertThat(region.find()).as("the tagged region").isTrue();
    assertThat(Files.readString(Path.of("../docs/spring-boot.md")))
        .contains(region.group(1).stripIndent());
  }

  private static Throwable rootCause(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root;
  }
}
