package invoice

var brcoRules = []Rule{}
