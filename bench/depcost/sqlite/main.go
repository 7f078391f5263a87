// Command sqlite links modernc.org/sqlite, the run journal's store.
package main

import _ "modernc.org/sqlite"

func main() {}
