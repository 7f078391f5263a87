// Command hello links nothing: the cost of any Go process.
package main

func main() {}
