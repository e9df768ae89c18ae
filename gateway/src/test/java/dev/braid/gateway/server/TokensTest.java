package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file: bare tokens as before, scopes after a token, errors by line. */
class TokensTest {
  @TempDir Path tmp;

  private Path file(String text) throws IOException {
    return Files.writeString(tmp.resolve("tokens.txt"), text);
  }

  @Test
  void bareTokensGetTheDefaultScopesAndScopedOnesExactlyTheirs() throws IOException {
    Map<String, Set<TokenScope>> t =
        Tokens.scopedFromFile(
            file(
                """
                # comments and blank lines are skipped

                bare-token
                runner   run
                caller run,invoke
                admin run, invoke script inline
                """));
    assertThat(t.get("bare-token")).isEqualTo(TokenScope.DEFAULTS);
    assertThat(TokenScope.DEFAULTS).doesNotContain(TokenScope.INLINE);
    assertThat(t.get("runner")).containsExactly(TokenScope.RUN);
    assertThat(t.get("caller")).containsExactlyInAnyOrder(TokenScope.RUN, TokenScope.INVOKE);
    assertThat(t.get("admin")).isEqualTo(EnumSet.allOf(TokenScope.class));
    assertThat(Tokens.fromFile(tmp.resolve("tokens.txt")))
        .containsExactly("bare-token", "runner", "caller", "admin");
  }

  @Test
  void anUnknownScopeIsNamedWithItsLineButNotTheToken() throws IOException {
    Path f = file("ok\nsecret-token run,root\n");
    assertThatThrownBy(() -> Tokens.scopedFromFile(f))
        .hasMessageContaining("tokens.txt:2")
        .hasMessageContaining("unknown scope 'root'")
        .hasMessageNotContaining("secret-token");
  }

  @Test
  void aTokenGivenTwiceIsAnError() throws IOException {
    Path f = file("same run\nsame invoke\n");
    assertThatThrownBy(() -> Tokens.scopedFromFile(f)).hasMessageContaining("tokens.txt:2");
  }
}
