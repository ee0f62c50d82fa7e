package invoice

var brRules = []Rule{}
