#!/usr/bin/env bash
# t_pg_bad_line.sh — a line PostgreSQL refuses every time does not stop the
# collector (regression: on PostgreSQL a failed statement aborts the whole
# transaction, and the writer used to retry that batch for ever while the
# spool filled and TCP senders were paused).
#
# A trigger the test adds makes every insert of a line holding POISON fail,
# and every event row of the IKE connection poison_1 fail.  Lines around
# them go over TCP to serve on a throw-away PostgreSQL cluster: every other
# line is stored, the POISON lines are left out and the poison_1 line is
# stored without its event, each counted in db_errors and logged, and the
# lines sent afterwards are stored at once, where a POISON line among them
# fails a multi-row insert.
. "$(dirname "$0")/lib.sh"
. "$TW_SOURCE_DIR/tests/tools/pgtmp.sh"
command -v psql >/dev/null || { echo "skip: psql (postgresql) missing"; exit 77; }
trap 'pgtmp_stop; tw_cleanup' EXIT
pgtmp_start "$T" || { echo "skip: no PostgreSQL"; exit 77; }
PG=$PGTMP_URI
pq() { psql -X -A -t -q "$PG" -c "$1"; }

started=$(date +%s)
DB=$PG tw_start --spool-dir "$T/spool" --stats-interval 1s
pq "CREATE FUNCTION tw_test_poison_line() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN
		IF NEW.raw LIKE '%POISON%' THEN
			RAISE EXCEPTION 'test: poisoned line';
		END IF;
		RETURN NEW;
	END \$\$;
	CREATE FUNCTION tw_test_poison_event() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN
		IF NEW.ike_name = 'poison_1' THEN
			RAISE EXCEPTION 'test: poisoned event';
		END IF;
		RETURN NEW;
	END \$\$;
	CREATE TRIGGER tw_test_poison BEFORE INSERT ON messages
		FOR EACH ROW EXECUTE FUNCTION tw_test_poison_line();
	CREATE TRIGGER tw_test_poison BEFORE INSERT ON events
		FOR EACH ROW EXECUTE FUNCTION tw_test_poison_event();" || fail "cannot add the trigger"

{
	head -n 60 "$TW_SOURCE_DIR/tests/fixtures/guide_dpd.log"
	echo "<30>Jun  1 00:31:00 vedge01 charon: 14[IKE] POISON one"
	echo "<30>Jun  1 00:31:00 vedge01 charon: 14[IKE] initiating IKE_SA poison_1[9] to 203.0.113.9"
	sed -n '61,120p' "$TW_SOURCE_DIR/tests/fixtures/guide_dpd.log"
	echo "<30>Jun  1 00:31:01 vedge01 charon: 14[IKE] POISON two"
} >"$T/in.log"
n=$(wc -l <"$T/in.log")
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/in.log" --count "$n" 2>/dev/null || fail "send"
want=$((n - 2))
for i in $(seq 1 200); do
	[ "$(pq 'SELECT count(*) FROM messages')" -ge "$want" ] && break
	sleep 0.1
done
got=$(pq 'SELECT count(*) FROM messages')
[ "$got" = "$want" ] || fail "$got lines stored of $n, expected $want (all but the two POISON lines)"
[ "$(pq "SELECT count(*) FROM messages WHERE raw LIKE '%POISON%'")" = 0 ] || fail "a POISON line was stored"
[ "$(pq "SELECT count(*) FROM messages WHERE raw LIKE '%poison_1%'")" = 1 ] ||
	fail "the poison_1 line was not stored"
grep -q "without that line" "$T/serve.log" || fail "the left-out line was not logged"
grep -q "which is not resolved" "$T/serve.log" || fail "the line whose event fails was not logged"
[ "$(pq "SELECT count(*) FROM events WHERE ike_name = 'poison_1'")" = 0 ] || fail "poison_1 has an event"
ok "PostgreSQL: lines it refuses every time are left out, the other $want of $n are stored"

# The pipeline is not stuck: lines sent now are stored at once.  Past the
# first 10 s (the derive lock's check window) the rows go in multi-row
# inserts: a POISON line among them fails the whole insert, and the batch
# is replayed row by row to find it.
while [ $(( $(date +%s) - started )) -lt 12 ]; do sleep 0.5; done
{
	cat "$TW_SOURCE_DIR/tests/fixtures/guide_dpd.log"
	echo "<30>Jun  1 00:40:00 vedge01 charon: 14[IKE] POISON three"
} >"$T/more.log"
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/more.log" --count 45 2>/dev/null ||
	fail "send more"
want=$((want + 44))
for i in $(seq 1 100); do
	[ "$(pq 'SELECT count(*) FROM messages')" -ge "$want" ] && break
	sleep 0.1
done
[ "$(pq 'SELECT count(*) FROM messages')" = "$want" ] ||
	fail "later lines: $(pq 'SELECT count(*) FROM messages') stored, expected $want"
sleep 1.5
errs=$(pq "SELECT value FROM stats WHERE name = 'db_errors' ORDER BY at_us DESC LIMIT 1")
[ "${errs:-0}" -ge 3 ] || fail "db_errors ${errs:-none}: the refused lines were not counted"
tw_stop
ok "PostgreSQL: the collector goes on after them ($errs counted in db_errors)"
