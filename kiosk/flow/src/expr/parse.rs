//! Tokens to an [`Expr`]: `or` binds loosest, then `and`, then `not`; a comparison starts
//! with a question's name.

use super::lex::{describe, lex, Tok};
use super::{err, Expr, ExprError, Literal, LiteralValue, Name, Operand, Subject};

struct Parser<'s> {
    source: &'s [char],
    toks: Vec<(Tok, usize)>,
    pos: usize,
}

/// Parses a condition; the error offset is in chars from the start of `source`.
pub fn parse(source: &str) -> Result<Expr, ExprError> {
    let toks = lex(source)?;
    if toks.is_empty() {
        return err(0, "condition vide");
    }
    let chars: Vec<char> = source.chars().collect();
    let mut parser = Parser {
        source: &chars,
        toks,
        pos: 0,
    };
    let expr = parser.or()?;
    if parser.pos < parser.toks.len() {
        return parser.unexpected("« and », « or » ou la fin de la condition");
    }
    Ok(expr)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Tok> {
        self.toks.get(self.pos + ahead).map(|(t, _)| t)
    }

    fn offset_at(&self, index: usize) -> usize {
        self.toks.get(index).map_or(self.source.len(), |(_, o)| *o)
    }

    fn offset(&self) -> usize {
        self.offset_at(self.pos)
    }

    /// The source text of token `index`, as written.
    fn written(&self, index: usize) -> String {
        let from = self.offset_at(index).min(self.source.len());
        let to = self.offset_at(index + 1).clamp(from, self.source.len());
        self.source[from..to]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    }

    fn unexpected<T>(&self, wanted: &str) -> Result<T, ExprError> {
        err(
            self.offset(),
            format!(
                "attendu : {wanted} ; trouvé : {}",
                describe(self.toks.get(self.pos))
            ),
        )
    }

    fn expect(&mut self, tok: Tok, wanted: &str) -> Result<(), ExprError> {
        if self.peek() != Some(&tok) {
            return self.unexpected(wanted);
        }
        self.pos += 1;
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.unary()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        match self.peek() {
            Some(Tok::Not) => {
                self.pos += 1;
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let inner = self.or()?;
                self.expect(Tok::RParen, "« ) »")?;
                Ok(inner)
            }
            Some(Tok::Name(_)) => self.comparison(),
            Some(Tok::Int(_) | Tok::Str(_) | Tok::Oui | Tok::Non | Tok::Today { .. })
                if self.peek_at(1) == Some(&Tok::In) =>
            {
                self.chosen()
            }
            Some(Tok::Int(_) | Tok::Str(_) | Tok::Oui | Tok::Non | Tok::Today { .. }) => {
                self.value_first()
            }
            _ => self.unexpected("un nom d'étape"),
        }
    }

    /// `'2027-01-01' > date`: the question goes first; say how it reads that way.
    fn value_first<T>(&self) -> Result<T, ExprError> {
        if let (Some(Tok::Op(op)), Some(Tok::Name(name))) = (self.peek_at(1), self.peek_at(2)) {
            let flipped = op.flipped().symbol();
            let value = self.written(self.pos);
            return err(
                self.offset(),
                format!("mettez la question à gauche : « {name} {flipped} {value} »"),
            );
        }
        self.unexpected("un nom d'étape")
    }

    /// `'lundi' in jours`.
    fn chosen(&mut self) -> Result<Expr, ExprError> {
        let Some(option) = self.literal() else {
            return self.unexpected("une option entre guillemets");
        };
        self.expect(Tok::In, "« in »")?;
        match self.name() {
            Some(name) => Ok(Expr::Chosen { option, name }),
            None => self.unexpected("le nom d'une question à plusieurs choix"),
        }
    }

    fn name(&mut self) -> Option<Name> {
        match self.toks.get(self.pos) {
            Some((Tok::Name(text), offset)) => {
                let name = Name {
                    text: text.clone(),
                    offset: *offset,
                };
                self.pos += 1;
                Some(name)
            }
            _ => None,
        }
    }

    /// A literal, or `None` (nothing consumed) when the token is not one.
    fn literal(&mut self) -> Option<Literal> {
        let offset = self.offset();
        let value = match self.peek()? {
            Tok::Int(n) => LiteralValue::Int(*n),
            Tok::Str(s) => LiteralValue::Str(s.clone()),
            Tok::Oui => LiteralValue::Bool(true),
            Tok::Non => LiteralValue::Bool(false),
            Tok::Today { days, months } => LiteralValue::Today {
                days: *days,
                months: *months,
            },
            _ => return None,
        };
        self.pos += 1;
        Some(Literal { value, offset })
    }

    /// `count(jours) >= 2`, after `count`.
    fn count(&mut self) -> Result<Expr, ExprError> {
        self.expect(Tok::LParen, "« ( »")?;
        let Some(name) = self.name() else {
            return self.unexpected("le nom d'une question à plusieurs choix");
        };
        self.expect(Tok::RParen, "« ) »")?;
        let Some(Tok::Op(op)) = self.peek() else {
            return self.unexpected("une comparaison, par exemple count(jours) >= 2");
        };
        let op = *op;
        self.pos += 1;
        let right = self.operand()?;
        Ok(Expr::Compare {
            left: Subject::Count(name),
            op,
            right,
        })
    }

    /// What comes after a comparison operator: another answer or a literal.
    fn operand(&mut self) -> Result<Operand, ExprError> {
        if let Some(other) = self.name() {
            Ok(Operand::Answer(other))
        } else if let Some(literal) = self.literal() {
            Ok(Operand::Literal(literal))
        } else {
            self.unexpected(
                "une valeur (oui, non, un nombre, 'un texte', today) ou une autre question",
            )
        }
    }

    /// A literal in a list, where a bare name is an option id without its quotes.
    fn listed_literal(&mut self) -> Result<Literal, ExprError> {
        if let Some(Tok::Name(n)) = self.peek() {
            return err(
                self.offset(),
                format!(
                    "une valeur est attendue ici : pour un choix, écrivez '{n}' entre guillemets"
                ),
            );
        }
        match self.literal() {
            Some(l) => Ok(l),
            None => self.unexpected("une valeur (oui, non, un nombre ou 'un texte')"),
        }
    }

    fn comparison(&mut self) -> Result<Expr, ExprError> {
        let Some(name) = self.name() else {
            return self.unexpected("un nom d'étape");
        };
        if name.text == "count" && self.peek() == Some(&Tok::LParen) {
            return self.count();
        }
        match self.peek() {
            Some(Tok::Op(op)) => {
                let op = *op;
                self.pos += 1;
                let right = self.operand()?;
                Ok(Expr::Compare {
                    left: Subject::Answer(name),
                    op,
                    right,
                })
            }
            Some(Tok::In) => {
                self.pos += 1;
                self.expect(Tok::LBracket, "« [ »")?;
                let mut literals = vec![self.listed_literal()?];
                while self.peek() == Some(&Tok::Comma) {
                    self.pos += 1;
                    literals.push(self.listed_literal()?);
                }
                self.expect(Tok::RBracket, "« , » ou « ] »")?;
                Ok(Expr::In { name, literals })
            }
            _ => Ok(Expr::Truthy(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_precedence_and_offsets() {
        let e = parse("not a or b == 2 and c in ['x', 'y']").expect("valid");
        assert!(matches!(e, Expr::Or(_, _)));
        let names: Vec<_> = e
            .names()
            .iter()
            .map(|n| (n.text.clone(), n.offset))
            .collect();
        assert_eq!(
            names,
            vec![("a".into(), 4), ("b".into(), 9), ("c".into(), 20)]
        );
    }

    #[test]
    fn a_name_after_an_operator_is_another_answer() {
        let e = parse("fin >= debut").expect("valid");
        let Expr::Compare { right, .. } = &e else {
            panic!("a comparison: {e:?}");
        };
        assert_eq!(
            right,
            &Operand::Answer(Name {
                text: "debut".into(),
                offset: 7
            })
        );
        assert_eq!(e.names().len(), 2);
    }

    #[test]
    fn syntax_errors_point_at_the_fault() {
        assert_eq!(parse("a = 2").unwrap_err().offset, 2);
        assert_eq!(parse("a == ").unwrap_err().offset, 5);
        assert_eq!(parse("a == 'x").unwrap_err().offset, 5);
        assert_eq!(parse("(a").unwrap_err().offset, 2);
        assert_eq!(parse("a et b").unwrap_err().offset, 2);
        assert_eq!(parse("a in [b]").unwrap_err().offset, 6);
    }

    #[test]
    fn several_choices_have_membership_and_count() {
        let e = parse("'lundi' in jours and count(jours) >= 2").expect("valid");
        let names: Vec<_> = e.names().iter().map(|n| n.offset).collect();
        assert_eq!(names, [11, 27]);
        assert_eq!(
            parse("count(jours)").unwrap_err().message,
            "attendu : une comparaison, par exemple count(jours) >= 2 ; trouvé : la fin de la condition"
        );
        assert_eq!(parse("'lundi' in ['a']").unwrap_err().offset, 11);
        // A step may still be called `count`.
        assert_eq!(
            parse("count").expect("valid"),
            Expr::Truthy(Name {
                text: "count".into(),
                offset: 0
            })
        );
    }

    #[test]
    fn a_value_first_is_turned_around() {
        let e = parse("today-18y >= naissance").unwrap_err();
        assert_eq!(
            (e.offset, e.message.as_str()),
            (
                0,
                "mettez la question à gauche : « naissance <= today-18y »"
            )
        );
        assert_eq!(
            parse("'eteint' == probleme").unwrap_err().message,
            "mettez la question à gauche : « probleme == 'eteint' »"
        );
    }
}
