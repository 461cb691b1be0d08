/*
 * wrong_way.c — must NOT build: the parse room (parse/) including a
 * storage header.  ctest rooms.wrong_way_include_fails builds it against
 * tw_parse and passes only when the compiler says store.h is not found.
 */
#include "ingest.h"
#include "store.h"

int tw_wrong_way(void);

int
tw_wrong_way(void)
{
	return 0;
}
