{#
    Cash withdrawals carry the ATM (or the bank's counter) as merchant with MCC 6011 (automated)
    or 6010 (manual cash disbursement). Taking cash out is not spending: spend questions leave
    these rows out, and dim_merchant / fct_transactions flag them with this expression.
#}
{% macro is_cash_withdrawal(merchant_category_code) -%}
    coalesce({{ merchant_category_code }} in ('6010', '6011'), false)
{%- endmacro %}
