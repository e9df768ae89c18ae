package dev.braid.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The console in a real headless Chromium: log in, refusals, a CSRF attempt. */
@Timeout(120)
class ConsoleBrowserTest {
  private ConsoleServer console;
  private Browser browser;
  private String base;

  @BeforeEach
  void start() throws Exception {
    console = ConsoleServer.start(ConsoleHttpTest.config());
    base = "http://127.0.0.1:" + console.address().getPort() + "/";
    browser = Browser.start();
  }

  @AfterEach
  void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      console.close();
    }
  }

  @Test
  void logsInWithARunTokenAndSeesItsScopes() throws Exception {
    WebDriver d = browser.driver();
    d.get(base);
    WebElement token = waitVisible(By.id("token"));
    browser.screenshot("console-login");
    token.sendKeys(ConsoleHttpTest.RUN_TOKEN);
    d.findElement(By.id("login")).click();
    assertThat(waitVisible(By.id("scopes")).getText()).isEqualTo("invoke, run, script");
    browser.screenshot("console-home");
    // the session survives a reload: the cookie, not the page, holds it
    d.navigate().refresh();
    assertThat(waitVisible(By.id("scopes")).getText()).isEqualTo("invoke, run, script");
    // the cookie is out of reach of the page's scripts
    assertThat(browser.driver.executeScript("return document.cookie")).isEqualTo("");
  }

  @Test
  void aWrongTokenIsRefusedOnThePage() {
    assertThat(loginError("wrong-token")).isEqualTo("invalid token");
    assertThat(browser.driver().findElement(By.id("home-view")).isDisplayed()).isFalse();
  }

  @Test
  void aTokenWithoutTheRunScopeIsRefusedOnThePage() {
    assertThat(loginError(ConsoleHttpTest.INVOKE_TOKEN)).contains("lacks the 'run' scope");
  }

  @Test
  void aPostWithoutTheCsrfTokenIsRefusedAndTheSessionStays() {
    WebDriver d = browser.driver();
    d.get(base);
    waitVisible(By.id("token")).sendKeys(ConsoleHttpTest.RUN_TOKEN);
    d.findElement(By.id("login")).click();
    waitVisible(By.id("scopes"));
    // what a script that got into the page without the CSRF token could send: the cookie goes
    // along (same origin), the token does not
    Object status =
        browser.driver.executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + "fetch('/api/logout', {method: 'POST', credentials: 'same-origin'})"
                + ".then(r => done(r.status), e => done(String(e)));");
    assertThat(status).isEqualTo(403L);
    d.navigate().refresh();
    assertThat(waitVisible(By.id("scopes")).getText()).contains("run");
    // the page's own button sends the token and logs out
    d.findElement(By.id("logout")).click();
    waitVisible(By.id("token"));
    d.navigate().refresh();
    assertThat(waitVisible(By.id("token")).isDisplayed()).isTrue();
  }

  private String loginError(String token) {
    WebDriver d = browser.driver();
    d.get(base);
    waitVisible(By.id("token")).sendKeys(token);
    d.findElement(By.id("login")).click();
    new WebDriverWait(d, Browser.WAIT)
        .until(x -> !x.findElement(By.id("login-error")).getText().isEmpty());
    return d.findElement(By.id("login-error")).getText();
  }

  private WebElement waitVisible(By by) {
    return new WebDriverWait(browser.driver(), Browser.WAIT)
        .until(ExpectedConditions.visibilityOfElementLocated(by));
  }
}
