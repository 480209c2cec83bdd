// Command consumer stands in for a team's consumer; it only has to build.
package main

func main() {}
