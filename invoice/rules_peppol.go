package invoice

var peppolRules = []Rule{}
