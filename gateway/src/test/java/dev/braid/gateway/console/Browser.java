package dev.braid.gateway.console;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium through its chromedriver, for the console's browser tests. Missing
 * browser: the test is skipped with the reason outside CI and fails under {@code CI=true} (.ci/run
 * installs both, so a missing one there is a broken CI, never a pass).
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** Every wait for the page is bounded by this; it is a bound, not an expectation. */
  static final Duration WAIT = Duration.ofSeconds(15);

  final ChromeDriver driver;

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  /** A fresh headless browser, or the test is skipped (failed under CI=true). */
  static Browser start() {
    for (Path p : new Path[] {CHROMIUM, CHROMEDRIVER}) {
      if (!Files.isExecutable(p)) {
        String why = p + " is missing: apt-get install -y chromium chromium-driver";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          fail(why + " (CI=true: .ci/run must install it)");
        }
        assumeTrue(false, why);
      }
    }
    // both paths given: Selenium Manager has nothing to look up or download
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        // the tests run as root, where Chromium's own sandbox cannot start
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1280,800",
        // nothing but the console on 127.0.0.1: no update checks, sync or first-run pages
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-default-apps");
    ChromeDriver d = new ChromeDriver(service, options);
    d.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    return new Browser(d);
  }

  /** Writes a screenshot of the page to gateway/target/{@code name}.png. */
  Path screenshot(String name) throws IOException {
    File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Path out = Path.of("target", name + ".png");
    Files.createDirectories(out.getParent());
    Files.copy(f.toPath(), out, StandardCopyOption.REPLACE_EXISTING);
    return out;
  }

  WebDriver driver() {
    return driver;
  }

  /** Quits the session: killing chromedriver alone would leave the browser running. */
  @Override
  public void close() {
    driver.quit();
  }
}
