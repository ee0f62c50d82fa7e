package invoice

var xrRules = []Rule{}
