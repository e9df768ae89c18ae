package dev.braid.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium on a real server: log in, refusals, a CSRF attempt, runs
 * appearing and finishing, a run's steps, cancelling a run.
 */
@Timeout(120)
class ConsoleBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static LiveConsole live;
  private Browser browser;
  private String base;

  @TempDir Path folder;

  @BeforeAll
  static void startServer() throws Exception {
    live = LiveConsole.start();
  }

  @AfterAll
  static void stopServer() {
    if (live != null) {
      live.close();
    }
  }

  @BeforeEach
  void start() {
    base = live.base + "/";
    browser = Browser.start();
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void aRunAppearsInTheListAndFinishes() throws Exception {
    logIn();
    String id = live.startRun("slow", LiveConsole.slowInput(folder, "list", 1.5));
    By row = By.cssSelector("#runs tr[data-run='" + id + "']");
    // polled, not reloaded: the page shows the run without a refresh
    new WebDriverWait(browser.driver(), WAIT)
        .until(d -> d.findElement(By.id("runs")).getText().contains(id));
    assertThat(browser.driver().findElement(row).getText()).contains("slow", "running");
    new WebDriverWait(browser.driver(), WAIT)
        .until(d -> d.findElement(row).getText().contains("succeeded"));
    browser.screenshot("console-runs");
  }

  @Test
  void aRunPageShowsItsSteps() throws Exception {
    logIn();
    String id = live.startRun("greet", "{\"name\": \"ada\"}");
    WebElement link =
        new WebDriverWait(browser.driver(), WAIT)
            .until(ExpectedConditions.elementToBeClickable(By.linkText(id)));
    link.click();
    new WebDriverWait(browser.driver(), WAIT)
        .until(d -> d.findElement(By.id("run-status")).getText().equals("succeeded"));
    WebElement sum =
        new WebDriverWait(browser.driver(), WAIT)
            .until(
                ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector("#steps tr[data-step='sum']")));
    assertThat(sum.getText()).contains("python:server_funcs:add", "python", "ok");
    assertThat(
            browser.driver().findElement(By.cssSelector("#steps tr[data-step='loud']")).getText())
        .contains("node");
    assertThat(browser.driver().findElement(By.id("cancel")).isDisplayed()).isFalse();
    browser.screenshot("console-run");
  }

  @Test
  void cancellingARunningRunCancelsItsCall() throws Exception {
    logIn();
    String id = live.startRun("slow", LiveConsole.slowInput(folder, "cancel", 60));
    assertThat(LiveConsole.awaitText(folder.resolve("cancel.started"), WAIT)).isNotNull();
    browser.driver().get(base + "#run/" + id);
    waitVisible(By.id("cancel")).click();
    new WebDriverWait(browser.driver(), WAIT)
        .until(d -> d.findElement(By.id("run-status")).getText().equals("cancelled"));
    assertThat(LiveConsole.awaitText(folder.resolve("cancel.cancelled"), WAIT))
        .isEqualTo("cancelled");
    assertThat(browser.driver().findElement(By.id("run-failure")).getText())
        .contains("reason: cancelled");
    new WebDriverWait(browser.driver(), WAIT)
        .until(
            d ->
                d.findElement(By.cssSelector("#steps tr[data-step='wait']"))
                    .getText()
                    .contains("cancelled"));
    assertThat(browser.driver().findElement(By.id("cancel")).isDisplayed()).isFalse();
    browser.screenshot("console-cancelled");
  }

  private void logIn() {
    browser.driver().get(base);
    waitVisible(By.id("token")).sendKeys(ConsoleHttpTest.RUN_TOKEN);
    browser.driver().findElement(By.id("login")).click();
    waitVisible(By.id("runs"));
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
