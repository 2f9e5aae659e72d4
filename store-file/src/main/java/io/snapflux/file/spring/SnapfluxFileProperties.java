package io.snapflux.file.spring;

import io.snapflux.file.Durability;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the {@code file} backend ({@code snapflux.file.*}), read when {@code
 * snapflux.backend=file}.
 *
 * @param directory the directory holding one directory per store; required when {@code
 *     snapflux.backend=file}
 * @param durability when an update is acknowledged: {@code sync} (on disk, the default) or {@code
 *     async}; see {@link Durability}
 */
@ConfigurationProperties("snapflux.file")
public record SnapfluxFileProperties(
    @Nullable Path directory, @DefaultValue("sync") Durability durability) {}
