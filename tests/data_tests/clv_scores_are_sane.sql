-- Lifetime value scores: probabilities in [0, 1], no missing or negative predictions, more
-- purchases expected over a year than over 90 days, a CLV tier from the list.
select customer_id, p_alive, expected_purchases_90d, expected_purchases_365d, predicted_clv, clv_tier
from customer_clv
where p_alive is null or isnan(p_alive) or p_alive < 0 or p_alive > 1
    or expected_purchases_90d is null or isnan(expected_purchases_90d) or expected_purchases_90d < 0
    or expected_purchases_365d < expected_purchases_90d
    or predicted_clv is null or isnan(predicted_clv) or predicted_clv < 0
    or expected_avg_order_value is null or expected_avg_order_value <= 0
    or clv_tier not in ('top', 'high', 'medium', 'low')
    or recency_weeks > t_weeks
