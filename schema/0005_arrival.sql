-- 0005_arrival.sql — what logs as they really arrive need remembered:
-- when charon (re)started on each device, and how far each host's lines go.
--
-- A "Starting IKE charon daemon" line means every IKE_SA of the device is
-- gone, whether or not the collector saw them go (a restart or a reboot
-- while logging was down).  The correlator resets what it believes of
-- every tunnel of the device at that moment (docs/schema.md, "Belief is
-- reset by what the log shows").
CREATE TABLE restarts (
    device_id     INTEGER NOT NULL,
    device_us     INTEGER NOT NULL,       -- device time of the start line
    event_id      INTEGER NOT NULL,       -- its events row
    PRIMARY KEY (device_id, device_us)
) WITHOUT ROWID;

-- import: the newest device time of any line (any program, understood or
-- not) per syslog HOST.  A device's clock is all of its lines: a file that
-- goes on after a down covers that time, whichever run imported it.
CREATE TABLE host_clocks (
    hostname      TEXT PRIMARY KEY,
    last_us       INTEGER NOT NULL
) WITHOUT ROWID;
