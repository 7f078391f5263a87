// Package depcost holds probe programs that do nothing but link one
// dependency of arazzo, so the end-to-end benchmark can measure what linking
// it costs a process before main runs (package initialisation, pages of the
// binary touched): hello links nothing, the others one dependency each.
//
//	go build -o bench/out/bin/depcost-kinopenapi ./bench/depcost/kinopenapi
package depcost
