package io.snapflux.redis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.ssl.SslBundle;

/**
 * How Boot's connection details become the Lettuce URI of the Redis backend: standalone with
 * credentials, sentinel with the sentinels' own credentials, SSL from a bundle, the timeout and
 * client name from {@code spring.data.redis.*}, and cluster nodes as seed URIs with the same
 * credentials.
 */
final class RedisStoreBackendUriTest {

  private static RedisCredentials credentials(RedisURI uri) {
    return uri.getCredentialsProvider().resolveCredentials().block(Duration.ofSeconds(5));
  }

  @Test
  void standalone_withUserPasswordDatabaseTimeoutAndClientName() {
    DataRedisProperties properties = new DataRedisProperties();
    properties.setTimeout(Duration.ofSeconds(3));
    properties.setClientName("flags");
    DataRedisConnectionDetails details = new DataRedisConnectionDetails() {
      @Override
      public String getUsername() {
        return "app";
      }

      @Override
      public String getPassword() {
        return "secret";
      }

      @Override
      public Standalone getStandalone() {
        return Standalone.of("127.0.0.2", 6380, 2);
      }
    };

    RedisURI uri = RedisStoreBackend.uri(details, properties);

    assertThat(uri.getHost()).isEqualTo("127.0.0.2");
    assertThat(uri.getPort()).isEqualTo(6380);
    assertThat(uri.getDatabase()).isEqualTo(2);
    assertThat(credentials(uri).getUsername()).isEqualTo("app");
    assertThat(new String(credentials(uri).getPassword())).isEqualTo("secret");
    assertThat(uri.getTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(uri.getClientName()).isEqualTo("flags");
    assertThat(uri.isSsl()).isFalse();
  }

  @Test
  void sentinel_namesTheMasterTheSentinelsAndTheirCredentials() {
    DataRedisConnectionDetails details = new DataRedisConnectionDetails() {
      @Override
      public Sentinel getSentinel() {
        return new Sentinel() {
          @Override
          public int getDatabase() {
            return 1;
          }

          @Override
          public String getMaster() {
            return "mymaster";
          }

          @Override
          public List<Node> getNodes() {
            return List.of(new Node("s1", 26379), new Node("s2", 26380));
          }

          @Override
          public String getUsername() {
            return null;
          }

          @Override
          public String getPassword() {
            return "sentinel-secret";
          }
        };
      }
    };

    RedisURI uri = RedisStoreBackend.uri(details, new DataRedisProperties());

    assertThat(uri.getSentinelMasterId()).isEqualTo("mymaster");
    assertThat(uri.getDatabase()).isEqualTo(1);
    assertThat(uri.getSentinels()).extracting(RedisURI::getHost, RedisURI::getPort)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("s1", 26379),
            org.assertj.core.groups.Tuple.tuple("s2", 26380));
    assertThat(new String(credentials(uri.getSentinels().get(0)).getPassword()))
        .isEqualTo("sentinel-secret");
  }

  @Test
  void sslBundle_turnsOnSsl() {
    DataRedisConnectionDetails details = new DataRedisConnectionDetails() {
      @Override
      public SslBundle getSslBundle() {
        return SslBundle.systemDefault();
      }

      @Override
      public Standalone getStandalone() {
        return Standalone.of("127.0.0.1", 6379);
      }
    };

    assertThat(RedisStoreBackend.uri(details, new DataRedisProperties()).isSsl()).isTrue();
  }

  @Test
  void clusterNodes_becomeSeedUrisWithTheConnectionsCredentials() {
    DataRedisConnectionDetails details = new DataRedisConnectionDetails() {
      @Override
      public Cluster getCluster() {
        return () -> List.of(new Node("c1", 7000), new Node("c2", 7001));
      }

      @Override
      public String getUsername() {
        return "app";
      }

      @Override
      public String getPassword() {
        return "secret";
      }
    };
    DataRedisProperties p = new DataRedisProperties();
    p.setTimeout(Duration.ofSeconds(3));

    assertThat(RedisStoreBackend.isCluster(details)).isTrue();
    List<RedisURI> uris = RedisStoreBackend.clusterUris(details, p);
    assertThat(uris).extracting(RedisURI::getHost, RedisURI::getPort)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("c1", 7000),
            org.assertj.core.groups.Tuple.tuple("c2", 7001));
    assertThat(credentials(uris.get(1)).getUsername()).isEqualTo("app");
    assertThat(new String(credentials(uris.get(1)).getPassword())).isEqualTo("secret");
    assertThat(uris.get(0).getTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void standaloneDetails_areNotACluster() {
    DataRedisConnectionDetails details = new DataRedisConnectionDetails() {
      @Override
      public Standalone getStandalone() {
        return Standalone.of("127.0.0.1", 6380);
      }
    };

    assertThat(RedisStoreBackend.isCluster(details)).isFalse();
  }
}
