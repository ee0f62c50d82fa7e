package invoice

var ciiSyntaxRules = []Rule{}
