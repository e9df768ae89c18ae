package dev.braid.gateway.workflow.expr;

/** The operators of the expression language, with their source spelling. */
public enum Op {
  OR("||"),
  AND("&&"),
  EQ("=="),
  NE("!="),
  LT("<"),
  LE("<="),
  GT(">"),
  GE(">="),
  ADD("+"),
  SUB("-"),
  MUL("*"),
  DIV("/"),
  MOD("%"),
  NOT("!"),
  NEG("-");

  private final String symbol;

  Op(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }
}
