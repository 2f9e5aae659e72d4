package io.snapflux.client;

import org.jspecify.annotations.Nullable;

/**
 * One dispatched Server-Sent Event (WHATWG HTML §9.2).
 *
 * @param id the event's {@code id:} field, or {@code null} if it had none
 * @param event the event's {@code event:} field, {@code message} if it had none
 * @param data the {@code data:} lines joined with {@code \n}
 */
record SseEvent(@Nullable String id, String event, String data) {}
