/* version.h: the adlua release, shown by `adlua -v` and the console banner. */
#ifndef ADLUA_VERSION_H
#define ADLUA_VERSION_H

#define ADLUA_VERSION "0.1.0"

#endif
