package io.snapflux.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a {@link BackendUnavailableException} in the startup failure report. */
final class BackendUnavailableFailureAnalyzer
    extends AbstractFailureAnalyzer<BackendUnavailableException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, BackendUnavailableException cause) {
    String id = cause.backend();
    String module = BackendUnavailableException.moduleOf(id);
    String available = String.join(", ", cause.available());
    String description = "snapflux.backend is '" + id + "', but no Snapflux backend with that id"
        + " is available. Available backends: " + available + ".";
    String action = (module != null
        ? "Add the dependency " + module + " to the application"
        : "Add the module providing the Snapflux backend '" + id + "' (a StoreBackend bean whose"
            + " id() is '" + id + "')")
        + ", or set the property snapflux.backend to one of: " + available + ".";
    return new FailureAnalysis(description, action, cause);
  }
}
