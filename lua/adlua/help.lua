-- adlua.help: the console's help(f), which prints f's docstring
-- (lua/adlua/doc/). require "adlua.help" (np.dot) works outside it too.
return require("adlua.doc").help
