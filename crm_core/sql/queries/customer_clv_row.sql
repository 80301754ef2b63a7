-- The customer's lifetime-value score, when the scoring step has written customer_clv.
select
    customer_id,
    p_alive,
    expected_purchases_90d,
    expected_purchases_365d,
    expected_avg_order_value,
    predicted_clv,
    clv_tier
from customer_clv
where customer_id = $customer_id
