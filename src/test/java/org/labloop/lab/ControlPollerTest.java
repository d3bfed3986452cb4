package org.labloop.lab;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.labloop.store.ControlInbox;
import org.labloop.store.SqliteEventLog;
import org.slf4j.LoggerFactory;

/** The thread that reads pause, resume and abort requests from other terminals for a running engine. */
class ControlPollerTest {
    @TempDir
    Path dir;

    @Test
    void anInboxThatCannotBeRead_isReportedOnce_andAskedAgainAfterGrowingPauses_notInABusyLoop() throws Exception {
        SqliteEventLog.open(dir).close();
        ControlInbox inbox = ControlInbox.open(dir);
        inbox.close(); // every read fails from now on, as on a store whose connection is gone
        Logger logger = (Logger) LoggerFactory.getLogger(CampaignRunner.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            // No engine: nothing is ever read, so nothing is handed to one.
            Thread poller = CampaignRunner.startControlPoller(inbox, "c-1", null);
            Thread.sleep(2000);
            long cpuMs = ManagementFactory.getThreadMXBean().getThreadCpuTime(poller.threadId()) / 1_000_000;
            poller.interrupt();
            poller.join(5000);

            assertThat(poller.isAlive()).isFalse();
            assertThat(logged.list)
                    .singleElement()
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .asString()
                    .contains("control inbox of c-1", "cannot read control requests", "wait until it reads again");
            // A loop that asked again at once would have spent most of the two seconds on the CPU.
            assertThat(cpuMs).as("CPU ms of the poller in 2 s").isLessThan(500);
        } finally {
            logger.detachAppender(logged);
        }
    }
}
