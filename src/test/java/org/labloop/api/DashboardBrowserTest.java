package org.labloop.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * End to end in a real browser: Debian's headless Chromium, driven by Selenium, against a real server and store. Signs
 * in, creates the SnAr demo from the UI, watches it run to the end, checks that every chart has data and that the
 * Gantt chart has a row with bars for every device, opens an experiment's provenance and the devices page. Screenshots
 * go to target/screenshots/.
 */
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    Path data;

    @TempDir
    Path profile;

    TestServer s;
    WebDriver browser;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: headless Chromium is not installed (/usr/bin/chromium and /usr/bin/chromedriver; "
                        + "apt-get install chromium chromium-driver, as .ci/run does)");
        // About 8 s for the demo's 4 virtual hours: long enough to watch, short enough for a test.
        s = new TestServer(data, 1800);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1440,2300",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1440, 2300));
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (s != null) {
            s.close();
        }
    }

    @Test
    void operatorCreatesTheDemo_watchesItFinish_andEveryChartShowsTheData() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

        // Sign in with a token.
        browser.get(s.base + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        shot("01-login");
        browser.findElement(By.id("token")).sendKeys("llt_wrong");
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "unauthorized"));
        browser.findElement(By.id("token")).clear();
        browser.findElement(By.id("token")).sendKeys(s.admin);
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("list"), "No campaigns yet"));

        // Create the demo from the UI and start it.
        browser.get(s.base + "/#/new");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("example"), "snar"));
        // The example shown as chosen is already in the boxes, without a click on Load.
        wait.until(d ->
                !d.findElement(By.id("src-campaign")).getDomProperty("value").isEmpty());
        new Select(browser.findElement(By.id("example"))).selectByValue("snar");
        browser.findElement(By.id("load-example")).click();
        wait.until(d ->
                !d.findElement(By.id("src-protocol")).getDomProperty("value").isEmpty());
        shot("02-new-campaign");
        browser.findElement(By.id("create-start")).click();
        wait.until(ExpectedConditions.urlContains("#/campaigns/snar-demo-1"));

        // Watch it run: the live feed and the progress bar move.
        wait.until(d -> js("return document.querySelectorAll('#feed div').length") instanceof Long n && n > 20);
        shot("03-campaign-running");

        // The dashboard reflects a committed event: pause through the API and see it in the feed and the badge. The
        // latency is printed for docs/benchmarks.md, not asserted: a test's wall-clock time measures the machine.
        long before = s.getJson("/api/v1/campaigns/snar-demo-1").get("last_seq").asLong();
        assertThat(s.post("/api/v1/campaigns/snar-demo-1/pause", "{\"reason\":\"look closer\"}", s.admin)
                        .statusCode())
                .isEqualTo(202);
        long t0 = System.nanoTime();
        new WebDriverWait(browser, Duration.ofSeconds(5), Duration.ofMillis(20))
                .until(d -> browser.findElement(By.id("feed")).getText().contains("CampaignPaused"));
        long feedMs = (System.nanoTime() - t0) / 1_000_000;
        new WebDriverWait(browser, Duration.ofSeconds(5), Duration.ofMillis(20))
                .until(ExpectedConditions.attributeToBe(By.id("c-status"), "data-status", "paused"));
        long badgeMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf(
                "dashboard latency: event feed %d ms, status badge %d ms (events before: %d)%n",
                feedMs, badgeMs, before);
        shot("04-campaign-paused");
        // A graceful pause can be tightened from the page: the person gives the reason recorded.
        wait.until(ExpectedConditions.elementToBeClickable(By.id("btn-pause-now")))
                .click();
        org.openqa.selenium.Alert why = wait.until(ExpectedConditions.alertIsPresent());
        why.sendKeys("hold every step");
        why.accept();
        wait.until(d -> s.getJson("/api/v1/campaigns/snar-demo-1")
                .get("paused_immediately")
                .asBoolean());
        assertThat(s.getJson("/api/v1/campaigns/snar-demo-1/events?type=CampaignPaused")
                        .get("items")
                        .get(1)
                        .get("body")
                        .get("reason")
                        .asText())
                .isEqualTo("hold every step");
        browser.findElement(By.id("btn-resume")).click();
        wait.until(ExpectedConditions.attributeToBe(By.id("c-status"), "data-status", "running"));

        // Run to the end.
        new WebDriverWait(browser, Duration.ofSeconds(60))
                .until(ExpectedConditions.attributeToBe(By.id("c-status"), "data-status", "completed"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("c-progress-text"), "40 of 40"));
        Thread.sleep(400);
        shot("05-campaign-completed");

        // Charts render with data.
        assertThat(seriesLength("best", 1)).as("best-so-far points").isEqualTo(40);
        assertThat(seriesLength("scatter", 0)).as("scatter points").isEqualTo(40);
        assertThat(seriesLength("pareto", 0)).as("Pareto: all points").isEqualTo(40);
        assertThat(seriesLength("pareto", 1)).as("Pareto: the front").isBetween(1L, 40L);
        new Select(browser.findElement(By.id("sc-x"))).selectByValue("temperature");
        new Select(browser.findElement(By.id("sc-y"))).selectByValue("e_factor");
        assertThat(js("return labloopCharts.scatter.getOption().xAxis[0].name"))
                .asString()
                .contains("temperature");
        assertThat(seriesLength("scatter", 0)).isEqualTo(40);
        for (String chart : List.of("best", "scatter", "pareto", "gantt")) {
            assertThat(js("return document.querySelector('#chart-" + chart + " canvas') !== null"))
                    .as(chart + " drew a canvas")
                    .isEqualTo(true);
        }

        // The Gantt chart has a row for every device, and one for every position in use of the 8-channel reactor,
        // each with bars.
        @SuppressWarnings("unchecked")
        List<String> rows = (List<String>) js("return labloopCharts.gantt.getOption().yAxis[0].data");
        assertThat(rows.get(0)).isEqualTo("handler");
        assertThat(rows.get(1)).isEqualTo("arm");
        assertThat(rows.get(rows.size() - 1)).isEqualTo("hplc");
        List<String> reactorRows = rows.subList(2, rows.size() - 1);
        assertThat(reactorRows).isNotEmpty().allMatch(r -> r.matches("reactor #[1-8]"));
        @SuppressWarnings("unchecked")
        Map<String, Long> barsPerRow = (Map<String, Long>) js("const o = labloopCharts.gantt.getOption();"
                + "const n = {}; for (const b of o.series[0].data) { const r = o.yAxis[0].data[b.value[0]];"
                + " n[r] = (n[r] || 0) + 1; } return n;");
        assertThat(barsPerRow)
                .containsEntry("handler", 40L)
                .containsEntry("arm", 80L)
                .containsEntry("hplc", 40L);
        assertThat(reactorRows.stream()
                        .mapToLong(r -> barsPerRow.getOrDefault(r, 0L))
                        .sum())
                .isEqualTo(40L);
        assertThat(reactorRows).allSatisfy(r -> assertThat(barsPerRow).containsKey(r));

        // The experiment table opens an experiment's provenance.
        List<WebElement> table = browser.findElements(By.cssSelector("#experiment-table tr[data-exp]"));
        assertThat(table).hasSize(40);
        table.get(table.size() - 1).click();
        wait.until(d -> d.findElement(By.id("provenance")).getText().contains("MeasurementRecorded"));
        String provenance = browser.findElement(By.id("provenance")).getText();
        assertThat(provenance).contains("E0001", "bayesian", "emulator:snar", "hplc", "MeasurementRecorded");
        // Simulated devices run on the virtual clock: times read as time into the run, not as dates in 1970.
        assertThat(provenance).contains("T+00:").doesNotContain("1970");
        shot("06-provenance");
        browser.findElement(By.id("close-drawer")).click();

        // The campaign list and the devices page.
        browser.get(s.base + "/#/campaigns");
        wait.until(d -> d.findElement(By.id("campaign-table"))
                .getText()
                .toLowerCase(java.util.Locale.ROOT)
                .contains("completed"));
        shot("07-campaign-list");
        browser.get(s.base + "/#/devices");
        wait.until(d -> d.findElements(By.cssSelector(".device[data-device]")).size() == 4);
        shot("08-devices");

        // Two campaigns on the demo's workcell, started together from one of them.
        String urgent = createFromFiles("examples/snar-shared/urgent.yaml");
        String background = createFromFiles("examples/snar-shared/background.yaml");
        browser.get(s.base + "/#/campaigns/" + urgent);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("btn-start-with")));
        browser.findElement(By.id("btn-start-with")).click();
        org.openqa.selenium.Alert offer = wait.until(ExpectedConditions.alertIsPresent());
        assertThat(offer.getText()).contains("snar-flow-cell");
        offer.accept(); // the offered list: the other campaign waiting on this workcell
        s.awaitStatus(urgent, "completed", 60);
        s.awaitStatus(background, "completed", 60);
        for (String[] pair : List.of(new String[] {urgent, background}, new String[] {background, urgent})) {
            JsonNode started = s.getJson("/api/v1/campaigns/" + pair[0] + "/events?type=CampaignStarted")
                    .get("items")
                    .get(0);
            assertThat(started.get("body").get("sharedWith").get(0).asText()).isEqualTo(pair[1]);
        }
    }

    @Test
    void operatorRequest_isShownOnTheCampaignPage_andAnsweredThere() throws Exception {
        WebDriverWait wait = signIn();

        // Every reaction fails; after two in a row the campaign pauses and asks a person.
        Path broken = org.labloop.lab.ExampleCopies.brokenReactor(profile.resolve("broken"), 40, 2);
        ObjectNode body = TestServer.JSON.createObjectNode();
        for (String role : List.of("campaign", "workcell", "protocol")) {
            body.put(role, Files.readString(broken.resolveSibling(role + ".yaml")));
        }
        body.put("start", true);
        HttpResponse<String> r = s.post("/api/v1/campaigns", body.toString(), s.admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String id = s.json(r).get("id").asText();
        browser.get(s.base + "/#/campaigns/" + id);

        WebElement ack = wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#c-requests [data-ack]")));
        String request = ack.getDomAttribute("data-ack");
        assertThat(browser.findElement(By.id("c-requests")).getText())
                .contains("Operator request")
                .contains("2 experiments failed in a row");
        shot("operator-request");
        assertThat(browser.findElement(By.id("btn-resume")).isEnabled())
                .as("Resume does not answer a request")
                .isFalse();
        ack.click();
        org.openqa.selenium.Alert prompt = wait.until(ExpectedConditions.alertIsPresent());
        prompt.sendKeys("reseated the reactor block");
        prompt.accept();

        JsonNode answered = null;
        for (int i = 0; i < 200 && answered == null; i++) {
            JsonNode items = s.getJson("/api/v1/campaigns/" + id + "/events?type=OperatorAcknowledged")
                    .get("items");
            answered = items.isEmpty() ? null : items.get(0);
            Thread.sleep(50);
        }
        assertThat(answered).as("no acknowledgement was recorded").isNotNull();
        assertThat(answered.get("actor").asText()).isEqualTo("user:alice");
        assertThat(answered.get("body").get("requestId").asText()).isEqualTo(request);
        assertThat(answered.get("body").get("note").asText()).isEqualTo("reseated the reactor block");
        assertThat(s.post("/api/v1/campaigns/" + id + "/abort", "{\"reason\":\"end of the test\"}", s.admin)
                        .statusCode())
                .isEqualTo(202);
        s.awaitStatus(id, "aborted", 30);
    }

    @Test
    void aCampaignAskingForApproval_isSignedOnItsPage_withTheTokenTypedInAPasswordField() throws Exception {
        WebDriverWait wait = signIn();
        String id = s.json(s.post("/api/v1/campaigns", "{\"example\":\"snar-approval\"}", s.admin))
                .get("id")
                .asText();
        browser.get(s.base + "/#/campaigns/" + id);

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("approval"), "0 of 2 signatures"));
        assertThat(browser.findElement(By.id("btn-start")).isEnabled())
                .as("Start waits for the signatures")
                .isFalse();

        // A mistyped token is refused and the person stays signed in.
        sign(wait, "approved: reagents checked", "llt_mistyped");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("c-error"), "not a valid token"));
        assertThat(browser.getCurrentUrl()).contains("#/campaigns/" + id);

        sign(wait, "approved: reagents checked", s.admin);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("approval"), "1 of 2 signatures"));
        assertThat(browser.findElement(By.id("approval")).getText())
                .contains("signed by alice (operator)", "approved: reagents checked");
        assertThat(browser.findElement(By.id("c-error")).getText())
                .as("the earlier refusal is cleared")
                .isEmpty();
        wait.until(d -> !d.findElement(By.id("btn-sign")).isEnabled());
        shot("approval");
        JsonNode signed = s.getJson("/api/v1/campaigns/" + id + "/events?type=CampaignSigned")
                .get("items");
        assertThat(signed).hasSize(1);
        assertThat(signed.get(0).get("body").get("meaning").asText()).isEqualTo("approved: reagents checked");
    }

    /** Signs in with alice's token on an empty store; returns a 30 s wait. */
    private WebDriverWait signIn() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get(s.base + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        browser.findElement(By.id("token")).sendKeys(s.admin);
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("list"), "No campaigns yet"));
        return wait;
    }

    /** Opens the signing dialog and fills it in. */
    private void sign(WebDriverWait wait, String meaning, String token) {
        wait.until(ExpectedConditions.elementToBeClickable(By.id("btn-sign"))).click();
        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-token")));
        assertThat(field.getDomAttribute("type")).isEqualTo("password");
        WebElement what = browser.findElement(By.id("sign-meaning"));
        what.clear();
        what.sendKeys(meaning);
        field.sendKeys(token);
        browser.findElement(By.id("sign-ok")).click();
    }

    private String createFromFiles(String campaignFile) throws Exception {
        ObjectNode body = TestServer.JSON.createObjectNode();
        body.put("campaign", Files.readString(Path.of(campaignFile)));
        body.put("workcell", Files.readString(Path.of("examples/snar/workcell.yaml")));
        body.put("protocol", Files.readString(Path.of("examples/snar/protocol.yaml")));
        HttpResponse<String> r = s.post("/api/v1/campaigns", body.toString(), s.admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return s.json(r).get("id").asText();
    }

    private long seriesLength(String chart, int series) {
        Object n = js("return labloopCharts." + chart + ".getOption().series[" + series + "].data.length");
        return (Long) n;
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private void shot(String name) throws Exception {
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
