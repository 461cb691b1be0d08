# Turns the numbered schema/*.sql files into a C table (see storage/migrate.c).
# Invoked as: cmake -DOUT=file.c -DFILES="a.sql,b.sql" [-DVAR=name] -P embed_schema.cmake
# (VAR: the table's name, migrate_steps by default; schema/pg/ gives
# migrate_pg_steps).
if(NOT VAR)
  set(VAR migrate_steps)
endif()
set(body "/* Generated from the schema directory by cmake/embed_schema.cmake. Do not edit. */\n#include \"migrate.h\"\n\n")
string(REPLACE "," ";" FILES "${FILES}")
set(entries "")
set(n 0)
foreach(f ${FILES})
  get_filename_component(name ${f} NAME)
  string(REGEX MATCH "^[0-9]+" ver ${name})
  math(EXPR ver "${ver}")
  file(READ ${f} hex HEX)
  string(REGEX REPLACE "(..)" "0x\\1," hex "${hex}")
  string(APPEND body "static const char schema_${n}[] = {${hex}0x00};\n")
  string(APPEND entries "    {${ver}, \"${name}\", schema_${n}},\n")
  math(EXPR n "${n} + 1")
endforeach()
string(APPEND body "\nconst struct migrate_step ${VAR}[] = {\n${entries}    {0, NULL, NULL}\n};\n")
file(WRITE ${OUT} "${body}")
