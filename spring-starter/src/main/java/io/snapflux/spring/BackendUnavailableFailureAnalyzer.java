package io.snapflux.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a {@link BackendUnavailableException} in the startup failure report. */
final class BackendUnavailableFailureAnalyzer
    extends AbstractFailureAnalyzer<BackendUnavailableException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, BackendUnavailableException cause) {
    String id = cause.backend().id();
    return new FailureAnalysis(
        cause.getMessage(),
        "Add the module providing the Snapflux '" + id + "' backend (a StoreBackend bean of kind "
            + id + "), or set the property snapflux.backend to memory.",
        cause);
  }
}
