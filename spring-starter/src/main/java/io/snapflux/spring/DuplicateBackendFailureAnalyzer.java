package io.snapflux.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a {@link DuplicateBackendException} in the startup failure report. */
final class DuplicateBackendFailureAnalyzer
    extends AbstractFailureAnalyzer<DuplicateBackendException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, DuplicateBackendException cause) {
    return new FailureAnalysis(
        "Several Snapflux backends have the id '" + cause.backend() + "':\n  - "
            + String.join("\n  - ", cause.backends()),
        "Keep one StoreBackend bean with the id '" + cause.backend() + "' (remove a module or a"
            + " bean, or give a third-party backend an id of its own).",
        cause);
  }
}
