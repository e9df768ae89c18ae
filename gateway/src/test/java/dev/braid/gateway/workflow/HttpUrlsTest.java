package dev.braid.gateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What an http step may request, and which hosts an operator's --allow-http patterns admit. */
class HttpUrlsTest {

  @Test
  void onlyAbsoluteHttpAndHttpsUrlsWithAHostAreRequestable() {
    assertThat(HttpUrls.problem("https://api.example.com/items?x=1")).isEmpty();
    assertThat(HttpUrls.problem("HTTP://127.0.0.1:8080/")).isEmpty();
    assertThat(HttpUrls.problem("file:///etc/passwd")).get().asString().contains("not an http://");
    assertThat(HttpUrls.problem("jar:file:/x.jar!/a")).isPresent();
    assertThat(HttpUrls.problem("/relative/path")).isPresent();
    assertThat(HttpUrls.problem("http:///nohost")).get().asString().contains("names no host");
    assertThat(HttpUrls.problem("http://exa mple.com/"))
        .get()
        .asString()
        .contains("not a valid URL");
    assertThat(HttpUrls.problem(null)).isPresent();
  }

  @Test
  void aPlainPatternAdmitsThatHostOnAnyPort() {
    List<String> p = List.of("api.example.com");
    assertThat(HttpUrls.allowed("api.example.com", 443, p)).isTrue();
    assertThat(HttpUrls.allowed("API.Example.com", 8443, p)).isTrue();
    assertThat(HttpUrls.allowed("api.example.com.evil.net", 443, p)).isFalse();
    assertThat(HttpUrls.allowed("evilapi.example.com", 443, p)).isFalse();
  }

  @Test
  void aWildcardAdmitsTheHostsUnderItButNotItself() {
    List<String> p = List.of("*.example.com");
    assertThat(HttpUrls.allowed("a.example.com", 443, p)).isTrue();
    assertThat(HttpUrls.allowed("a.b.example.com", 80, p)).isTrue();
    assertThat(HttpUrls.allowed("example.com", 443, p)).isFalse();
    assertThat(HttpUrls.allowed("badexample.com", 443, p)).isFalse();
  }

  @Test
  void aPortInThePatternMustMatch() {
    List<String> p = List.of("127.0.0.1:8080");
    assertThat(HttpUrls.allowed("127.0.0.1", 8080, p)).isTrue();
    assertThat(HttpUrls.allowed("127.0.0.1", 8081, p)).isFalse();
    assertThat(HttpUrls.allowed("[::1]", 8080, List.of("::1"))).isTrue();
  }
}
