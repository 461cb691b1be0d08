-- 0005_restarts.sql — when charon (re)started on each device.
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
