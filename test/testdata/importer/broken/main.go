// Command broken is a consumer with a compile error.
package main

func main() {
	undefinedHandler()
}
