package io.snapflux.sample.security;

import java.security.Principal;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Lets the page check credentials before keeping them: 200 with the user, or 401. */
@RestController
class WhoAmIController {

  @GetMapping("/api/whoami")
  Map<String, String> whoami(Principal user) {
    return Map.of("user", user.getName());
  }
}
