package invoice

var vatRules = []Rule{}
